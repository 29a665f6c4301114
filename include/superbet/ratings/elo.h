// Elo ratings for football as the World Football Elo Ratings compute them (eloratings.net, "About
// the World Football Elo Ratings": Elo's 1978 system adapted to football by Bob Runyan in 1997).
//
// After a match of home side H against away side A:
//   R_H' = R_H + K * G * (W - W_e),   R_A' = R_A - K * G * (W - W_e)
//   W    = 1 home win, 0.5 draw, 0 away win
//   W_e  = 1 / (10^(-dr / 400) + 1), dr = R_H - R_A + home_advantage (100 points at home)
//   G    = 1 for a goal difference N <= 1, 1.5 for N = 2, (11 + N) / 8 for N >= 3
//   K    = 60 World Cup finals, 50 continental championship finals and major intercontinental
//          tournaments, 40 World Cup and continental qualifiers and major tournaments, 30 all
//          other tournaments, 20 friendly matches (MatchImportance).
// Ratings are in Elo points; a 400-point gap makes W_e = 10/11 on neutral ground.

#ifndef SUPERBET_RATINGS_ELO_H_
#define SUPERBET_RATINGS_ELO_H_

namespace superbet::ratings {

enum class MatchImportance {
  kWorldCupFinals,     // K = 60
  kContinentalFinals,  // K = 50
  kQualifiers,         // K = 40 (World Cup / continental qualifiers, major tournaments)
  kOtherTournament,    // K = 30
  kFriendly,           // K = 20
};

// K of World Football Elo for a match of that importance.
double EloK(MatchImportance importance);

// G: the goal-difference multiplier (|home_goals - away_goals| = N, as above).
double EloGoalMultiplier(int home_goals, int away_goals);

// W_e: the expected score of the home side for dr = R_H - R_A + home advantage (Elo points).
double EloExpectedScore(double rating_difference);

// The home side's rating change (the away side's is its negative) for a match with ratings
// `home_rating`, `away_rating`, the score, K = `k` and `home_advantage` points (0 on neutral
// ground). Scores must be >= 0 (not checked).
double EloHomeChange(double home_rating, double away_rating, int home_goals, int away_goals,
                     double k, double home_advantage);

}  // namespace superbet::ratings

#endif  // SUPERBET_RATINGS_ELO_H_
