#include "superbet/providers/statsbomb/team_names.h"

#include <iterator>

namespace superbet::providers {
namespace {

constexpr TeamNamePair kTable[] = {
    {"AFC Bournemouth", "Bournemouth"},
    {"Birmingham City", "Birmingham"},
    {"Blackburn Rovers", "Blackburn"},
    {"Bolton Wanderers", "Bolton"},
    {"Brighton & Hove Albion", "Brighton"},
    {"Cardiff City", "Cardiff"},
    {"Charlton Athletic", "Charlton"},
    {"Derby County", "Derby"},
    {"Huddersfield Town", "Huddersfield"},
    {"Hull City", "Hull"},
    {"Ipswich Town", "Ipswich"},
    {"Leeds United", "Leeds"},
    {"Leicester City", "Leicester"},
    {"Luton Town", "Luton"},
    {"Manchester City", "Man City"},
    {"Manchester United", "Man United"},
    {"Newcastle United", "Newcastle"},
    {"Norwich City", "Norwich"},
    {"Nottingham Forest", "Nott'm Forest"},
    {"Queens Park Rangers", "QPR"},
    {"Stoke City", "Stoke"},
    {"Swansea City", "Swansea"},
    {"Tottenham Hotspur", "Tottenham"},
    {"West Bromwich Albion", "West Brom"},
    {"West Ham United", "West Ham"},
    {"Wigan Athletic", "Wigan"},
    {"Wolverhampton Wanderers", "Wolves"},
};

}  // namespace

absl::Span<const TeamNamePair> TeamNameTable() { return absl::MakeConstSpan(kTable); }

std::string FootballDataTeamName(absl::string_view statsbomb_name) {
  for (const TeamNamePair& p : kTable) {
    if (statsbomb_name == p.statsbomb) return p.football_data;
  }
  return std::string(statsbomb_name);
}

std::string StatsBombTeamName(absl::string_view football_data_name) {
  for (const TeamNamePair& p : kTable) {
    if (football_data_name == p.football_data) return p.statsbomb;
  }
  return std::string(football_data_name);
}

}  // namespace superbet::providers
