# superbet forecast and backtest --model-kind (issue 16), included from tests/CMakeLists.txt.
# Expected values read by hand from E0_1516.csv: the season opens on 2015-08-08 with Bournemouth
# 0-1 Aston Villa (row 2), and has 380 matches.
superbet_cli_case("forecast --help documents the command" EXIT 0
  STDOUT "superbet forecast: walk-forward 1X2 forecasts" ARGS forecast --help)
superbet_cli_case("forecast: an unknown --model-kind exits 2 before loading" EXIT 2
  STDERR "unknown model kind 'glicko' \\(expected dixon-coles, poisson, bivariate, negbin, elo, pi, shots, market\\)"
  NOT_STDERR "load" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind glicko)
superbet_cli_case("forecast: a bad --seasons list exits 2" EXIT 2
  STDERR "season 1516 is repeated" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516,1516)
superbet_cli_case("forecast: a flag of another command exits 2" EXIT 2
  STDERR "unknown flag --bankroll for `superbet forecast`" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --bankroll 5)
superbet_cli_case("forecast prices every 2015/16 match and writes one JSON line per match" EXIT 0
  STDOUT "2015/16 +380 +380 +0\\.[0-9]+ .*all +380 +380"
  STDERR "fit"
  OUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/cli_forecast_1516.jsonl
  OUT_FILE_REGEX "^\\{\"away\":\"football-data:Aston Villa\",\"closing\":\\{[^}]*\"bookmaker\":\"Pinnacle\"[^}]*\\},\"home\":\"football-data:Bournemouth\",.*\"kickoff\":\"2015-08-08T00:00:00Z\",\"model_kind\":\"poisson\",.*\"result\":\\{\"away_goals\":1,\"home_goals\":0,\"outcome\":\"A\"\\},\"season\":\"2015/16\"\\}"
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind poisson
    --json ${CMAKE_CURRENT_BINARY_DIR}/cli_forecast_1516.jsonl)
superbet_cli_case("backtest --model-kind elo runs the model strategy on Elo ratings" EXIT 0
  STDOUT "strategy model .*2015/16 +380"
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind elo)
superbet_cli_case("backtest: an unknown --model-kind exits 2 before loading" EXIT 2
  STDERR "unknown model kind 'glicko'" NOT_STDERR "load" NOT_STDOUT "."
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind glicko)
# The market model (issue 16 follow-up): 2015/16 priced from earlier seasons' market-implied
# goals; the count line says how many matches had prices (every 2002/03-2015/16 match of the
# E0 files but 2 has a complete 1X2 and over/under 2.5 price; 2000/01 and 2001/02 have no
# over/under column: 760 matches).
superbet_cli_case("forecast --model-kind market prices 2015/16 from past matches' implied goals"
  EXIT 0
  STDOUT "market-implied goals: 5318 of 6080 matches .*762 without a complete .*0 rejected.*2015/16 +380 +380 +0\\.[0-9]+"
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market)
# The market model's default is the Kalman filter (issue 16 quality step): 2015/16 as in
# docs/ratings.md's per-season table (gap +0.0099 to the Pinnacle close; the static fit +0.0170),
# with promoted sides started from the three weakest (--promoted off is the filter's default).
superbet_cli_case("forecast --model-kind market defaults to the Kalman filter (docs/ratings.md 2015/16 row)"
  EXIT 0
  STDOUT "2015/16 +380 +380 +0\\.6291 .*\\+0\\.0099 .*--promoted off"
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market)
superbet_cli_case("forecast --market_fit static keeps the time-decayed fit (docs/ratings.md 2015/16 row)"
  EXIT 0
  STDOUT "2015/16 +380 +380 +0\\.6361 .*\\+0\\.0170 .*--promoted link"
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market --market_fit static)
superbet_cli_case("forecast: a bad --market_fit exits 2 before loading" EXIT 2
  STDERR "--market_fit must be static or kalman, got 'ukf'" NOT_STDERR "load" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market --market_fit ukf)
superbet_cli_case("forecast: a filter setting out of range exits 2" EXIT 2
  STDERR "filter_market_sd must be finite and > 0, got -0.5" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market
    --filter_market_sd -0.5)
superbet_cli_case("forecast: --market_weight out of range exits 2" EXIT 2
  STDERR "market_weight must be in \\[0, 1\\], got 1.5" NOT_STDOUT "."
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market
    --market_weight 1.5)
superbet_cli_case("backtest --model-kind market runs the model strategy on market-implied goals"
  EXIT 0
  STDOUT "strategy model .*2015/16 +380"
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market)
