# `superbet train --agent prematch` then `superbet backtest --strategy hrl`, each twice with the
# same seed and data: the checkpoints, training logs, backtest JSON reports and paper ledgers must
# be byte-identical (oracle: the files of the first run). Also: the backtest refuses a season the
# checkpoint was trained on (exit 2, both named), and the ledger has one line per 2015/16 match.
#
#   cmake -DEXE=<superbet> -DDATA=<data root> -DWORK=<scratch dir> -P hrl_determinism.cmake

cmake_policy(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run expect_exit)
  execute_process(COMMAND "${EXE}" ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out
    ERROR_VARIABLE err TIMEOUT 300)
  if(NOT "${code}" STREQUAL "${expect_exit}")
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "superbet ${shown}: exit ${code}, expected ${expect_exit}\n${err}")
  endif()
  set(last_err "${err}" PARENT_SCOPE)
endfunction()

function(same a b)
  file(SHA256 "${a}" ha)
  file(SHA256 "${b}" hb)
  if(NOT ha STREQUAL hb)
    message(FATAL_ERROR "${a} and ${b} differ: same seed and data must give identical bytes")
  endif()
endfunction()

foreach(i 1 2)
  run(0 train --agent prematch --data ${DATA} --train_seasons 1314,1415 --seed 7 --episodes 3
    --out ${WORK}/model${i} --json ${WORK}/train${i}.json)
  run(0 backtest --strategy hrl --model ${WORK}/model${i} --data ${DATA} --seasons 1516
    --ledger ${WORK}/ledger${i}.jsonl --json ${WORK}/report${i}.json)
endforeach()
same(${WORK}/model1/checkpoint.pb ${WORK}/model2/checkpoint.pb)
same(${WORK}/train1.json ${WORK}/train2.json)
same(${WORK}/report1.json ${WORK}/report2.json)
same(${WORK}/ledger1.jsonl ${WORK}/ledger2.jsonl)

file(STRINGS ${WORK}/ledger1.jsonl ledger_lines)
list(LENGTH ledger_lines n)
if(NOT n EQUAL 380)
  message(FATAL_ERROR "ledger has ${n} lines, expected one per E0 2015/16 match (380)")
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
run(2 backtest --strategy hrl --model ${WORK}/model1 --data ${DATA} --seasons 1415,1516
  --ledger ${WORK}/overlap.jsonl)
if(NOT last_err MATCHES "season.s. E0:2014/15 were used to train the checkpoint .*model1/checkpoint.pb")
  message(FATAL_ERROR "overlap message: ${last_err}")
endif()
file(REMOVE_RECURSE "${WORK}")
