# `superbet train --agent prematch` then `superbet backtest --strategy hrl`, each twice with the
# same seed and data: the checkpoints, training logs, backtest JSON reports and paper ledgers must
# be byte-identical (oracle: the files of the first run). Also: the backtest refuses a season the
# checkpoint was trained on (exit 2, both named), and the ledger has one line per 2015/16 match.
#
#   cmake -DEXE=<superbet> -DDATA=<data root> -DWORK=<scratch dir> -P hrl_determinism.cmake

cmake_policy(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include(${CMAKE_CURRENT_LIST_DIR}/determinism_helpers.cmake)

# Both runs write the same paths (the JSON names them); each run's files are copied aside.
foreach(i 1 2)
  run(0 train --agent prematch --data ${DATA} --train-seasons 1314,1415 --seed 7 --episodes 3
    --out ${WORK}/model --json ${WORK}/train.json)
  run(0 backtest --strategy hrl --model ${WORK}/model --data ${DATA} --seasons 1516
    --ledger ${WORK}/ledger.jsonl --json ${WORK}/report.json)
  foreach(f model/checkpoint.pb model/checkpoint.json train.json ledger.jsonl report.json)
    get_filename_component(name ${f} NAME_WE)
    get_filename_component(ext ${f} EXT)
    file(COPY_FILE ${WORK}/${f} ${WORK}/${name}${i}${ext})
  endforeach()
endforeach()
same(${WORK}/checkpoint1.pb ${WORK}/checkpoint2.pb)
same(${WORK}/checkpoint1.json ${WORK}/checkpoint2.json)
same(${WORK}/train1.json ${WORK}/train2.json)
same(${WORK}/report1.json ${WORK}/report2.json)
same(${WORK}/ledger1.jsonl ${WORK}/ledger2.jsonl)

# One decision line per E0 2015/16 match (380), plus one settlement line (with "profit") per
# accepted bet (risk/ledger.h); every accepted decision line is settled by the season's end.
file(STRINGS ${WORK}/ledger1.jsonl ledger_lines)
file(STRINGS ${WORK}/ledger1.jsonl settlement_lines REGEX "\"profit\":")
file(STRINGS ${WORK}/ledger1.jsonl accepted_lines REGEX "VERDICT_ACCEPTED")
list(LENGTH ledger_lines n)
list(LENGTH settlement_lines settled)
list(LENGTH accepted_lines accepted)
math(EXPR decisions "${n} - ${settled}")
math(EXPR accepted_decisions "${accepted} - ${settled}")
if(NOT decisions EQUAL 380 OR NOT accepted_decisions EQUAL settled)
  message(FATAL_ERROR "ledger: ${decisions} decision lines (expected 380), ${settled} settlement "
    "lines for ${accepted_decisions} accepted decisions")
endif()
# Each decision line carries the manager's six-component state vector and the UCB scores.
list(GET ledger_lines 0 first_line)
if(NOT first_line MATCHES "\"manager\":{\"budget_remaining\":1,\"risk_score\":[0-9.]+,\"market_volatility\":1,\"live_agent_wr\":0,\"prematch_agent_wr\":0,\"data_staleness\":0,\"worker\":\"prematch\",\"ucb_live\":1,\"ucb_prematch\":1}")
  message(FATAL_ERROR "first ledger line lacks the manager state: ${first_line}")
endif()
file(READ ${WORK}/report1.json report)
foreach(key "\"denied_by_reason\"" "\"workers\"" "\"prematch\"" "\"baselines\"" "\"favourite\"")
  string(FIND "${report}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "report1.json lacks ${key}")
  endif()
endforeach()
file(READ ${WORK}/train1.json train)
string(FIND "${train}" "\"train_seasons\": [\n    \"2013/14\",\n    \"2014/15\"\n  ]" at)
if(at EQUAL -1)
  message(FATAL_ERROR "train1.json does not list the training seasons 2013/14, 2014/15:\n${train}")
endif()

# Evaluating on a training season is refused, naming it and the checkpoint.
run(2 backtest --strategy hrl --model ${WORK}/model --data ${DATA} --seasons 1415,1516
  --ledger ${WORK}/overlap.jsonl)
if(NOT last_err MATCHES "season.s. E0:2014/15 were used to train the checkpoint .*model/checkpoint.pb")
  message(FATAL_ERROR "overlap message: ${last_err}")
endif()

# A checkpoint trained at the closing prices (line movement observed) is refused: the backtest
# shows strategies the pre-match prices only.
run(0 train --agent prematch --data ${DATA} --train-seasons 2223 --episodes 1 --decide_at_closing
  --out ${WORK}/closing)
run(2 backtest --strategy hrl --model ${WORK}/closing --data ${DATA} --seasons 2425
  --ledger ${WORK}/closing.jsonl)
if(NOT last_err MATCHES "trained deciding at the closing prices")
  message(FATAL_ERROR "closing-checkpoint message: ${last_err}")
endif()
file(REMOVE_RECURSE "${WORK}")
