# A new user's first hour with `superbet` (bad flags and paths a user types), included from
# tests/CMakeLists.txt. Each case failed before its fix; the contract is README.md's "Every flag is
# checked before any data is loaded ... exit 2 with a message naming the flag and the value".

# forecast: a TeamModelOptions range error names the flag the user typed (--xi), not the option's
# field (xi_per_day), and stops before any season is read.
superbet_cli_case("forecast --xi -2 exits 2 naming --xi before loading" EXIT 2
  STDERR "superbet forecast: --xi must be finite and >= 0, got -2" NOT_STDERR "load|xi_per_day"
  NOT_STDOUT "." ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --xi -2)
superbet_cli_case("forecast --market_xi nan exits 2 naming --market_xi" EXIT 2
  STDERR "superbet forecast: --market_xi must be finite and >= 0, got nan" NOT_STDERR "load"
  ARGS forecast --data ${SUPERBET_TEST_DATA} --seasons 1516 --model-kind market --market_xi nan)
# forecast --league becomes part of a file name, as in backtest: a path is bad usage.
superbet_cli_case("forecast --league with a path exits 2" EXIT 2
  STDERR "--league must be a football-data division code of letters and digits \\(E0\\), got '../E0'"
  NOT_STDOUT "." ARGS forecast --data ${SUPERBET_TEST_DATA} --league ../E0)
# train: the checkpoint folder is checked before the seasons are loaded and the agent trained
# (it failed with exit 1 after the whole training run).
superbet_cli_case("train --out in a missing folder exits 2 before loading" EXIT 2
  STDERR "--out /nonexistent-superbet-dir/ck: folder /nonexistent-superbet-dir does not exist"
  NOT_STDERR "loading|computing|train prematch"
  ARGS train --agent prematch --data ${SUPERBET_TEST_DATA} --out /nonexistent-superbet-dir/ck)
superbet_cli_case("train --out that is a file exits 2 before loading" EXIT 2
  STDERR "--out ${SUPERBET_TEST_DATA}/SOURCES.md is a file, not a folder"
  NOT_STDERR "loading|computing"
  ARGS train --agent prematch --data ${SUPERBET_TEST_DATA} --out ${SUPERBET_TEST_DATA}/SOURCES.md)
superbet_cli_case("train --agent live --out in a missing folder exits 2 before training" EXIT 2
  STDERR "--out /nonexistent-superbet-dir/ck: folder /nonexistent-superbet-dir does not exist"
  NOT_STDERR "environment steps"
  ARGS train --agent live --data ${SUPERBET_TEST_DATA} --out /nonexistent-superbet-dir/ck)
# train: a flag of the other agent is refused, not silently ignored (--steps with prematch trained
# the default 10 episodes; --episodes with live trained the default 20000 steps).
superbet_cli_case("train --agent prematch rejects the live flag --steps" EXIT 2
  STDERR "--steps is a flag of --agent live, not of --agent prematch" NOT_STDERR "loading"
  ARGS train --agent prematch --data ${SUPERBET_TEST_DATA} --out /tmp --steps 5)
superbet_cli_case("train --agent live rejects the prematch flag --episodes" EXIT 2
  STDERR "--episodes is a flag of --agent prematch, not of --agent live" NOT_STDERR "live worker"
  ARGS train --agent live --data ${SUPERBET_TEST_DATA} --out /tmp --episodes 5)
# backtest: the unknown-strategy message lists every strategy --help documents (hrl included).
superbet_cli_case("backtest --strategy with an unknown name lists hrl among the choices" EXIT 2
  STDERR "unknown strategy 'foo' \\(expected favourite, home, model or hrl\\)" NOT_STDOUT "."
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --strategy foo)
# --ledger: its folder is checked with the other flags (it failed with exit 1 after the data was
# loaded, for replay --agent after the whole match was decided, naming no reason).
superbet_cli_case("backtest --strategy hrl --ledger in a missing folder exits 2 before loading" EXIT 2
  STDERR "--ledger /nonexistent-superbet-dir/l.jsonl: folder /nonexistent-superbet-dir does not exist"
  NOT_STDERR "load|checkpoint" NOT_STDOUT "."
  ARGS backtest --data ${SUPERBET_TEST_DATA} --strategy hrl --model /nonexistent-superbet-dir
    --seasons 2425 --ledger /nonexistent-superbet-dir/l.jsonl)
superbet_cli_case("replay --agent --ledger in a missing folder exits 2 before loading" EXIT 2
  STDERR "--ledger /nonexistent-superbet-dir/l.jsonl: folder /nonexistent-superbet-dir does not exist"
  NOT_STDERR "checkpoint|live worker" NOT_STDOUT "."
  ARGS replay --data ${SUPERBET_TEST_DATA} --agent /nonexistent-superbet-dir
    --ledger /nonexistent-superbet-dir/l.jsonl)
superbet_cli_case("replay --ledger that is a folder exits 2" EXIT 2
  STDERR "--ledger ${SUPERBET_TEST_DATA} is a directory"
  ARGS replay --data ${SUPERBET_TEST_DATA} --agent /nonexistent-superbet-dir
    --ledger ${SUPERBET_TEST_DATA})
# `superbet help COMMAND` (git's and cargo's form) prints that command's help; it printed the
# command list and ignored the name. An unknown name is a usage error.
superbet_cli_case("help COMMAND prints the command's own help" EXIT 0
  STDOUT "^superbet forecast: walk-forward 1X2 forecasts" ARGS help forecast)
superbet_cli_case("--help COMMAND prints the command's own help" EXIT 0
  STDOUT "^superbet backtest: replay football-data.co.uk seasons" ARGS --help backtest)
superbet_cli_case("help with an unknown command exits 2" EXIT 2
  STDERR "superbet: unknown command 'bactest'" NOT_STDOUT "." ARGS help bactest)
# ingest: a --data folder holding none of the data folders (a mistyped path) is "data missing",
# exit 1, before the store is created; it reported 0 files and exited 0.
superbet_cli_case("ingest from a folder without football-data, statsbomb or api-football exits 1"
  EXIT 1
  STDERR "superbet ingest: no data under .*docs: none of football-data/, statsbomb/, api-football/"
  NOT_STDOUT "."
  ARGS ingest --store sqlite:/nonexistent-superbet-dir/x.sqlite --data ${PROJECT_SOURCE_DIR}/docs)
# backtest --emit-predictions -: stdout, as '-' means for --json everywhere in the tool (it wrote a
# file named '-' in the current folder); the tables then go to stderr so stdout is only the
# Prediction lines (superbet backtest ... --emit-predictions - | superbet broadcast --input
# /dev/stdin). With --json - as well, the two would share stdout: usage error.
superbet_cli_case("backtest --emit-predictions - writes the Prediction lines on stdout only" EXIT 0
  STDOUT "^\\{\"match_id\":\"football-data:E0:2015-08-08:Bournemouth:Aston Villa\""
  NOT_STDOUT "== strategy|season +matches"
  STDERR "1140 prediction lines written to stdout .*== strategy favourite"
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --strategy favourite
    --emit-predictions -)
superbet_cli_case("backtest --json - with --emit-predictions - exits 2" EXIT 2
  STDERR "--json - and --emit-predictions - would both write to stdout" NOT_STDOUT "."
  ARGS backtest --data ${SUPERBET_TEST_DATA} --seasons 1516 --json - --emit-predictions -)
# --ledger -: '-' means stdout for --json and --emit-predictions, but the ledger is a file (replay
# --agent prints its decision lines on stdout already); it created a file named '-'. Usage error.
superbet_cli_case("replay --agent --ledger - exits 2 asking for a file" EXIT 2
  STDERR "--ledger -: give a file path \\('-' \\(stdout\\) is not supported for this flag\\)"
  NOT_STDOUT "."
  ARGS replay --data ${SUPERBET_TEST_DATA} --agent /nonexistent-superbet-dir --ledger -)
superbet_cli_case("backtest --strategy hrl --ledger - exits 2 asking for a file" EXIT 2
  STDERR "--ledger -: give a file path" NOT_STDOUT "."
  ARGS backtest --data ${SUPERBET_TEST_DATA} --strategy hrl --model /nonexistent-superbet-dir
    --seasons 2425 --ledger -)
