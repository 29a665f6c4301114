# `superbet train --agent live` then `superbet replay --agent`, each twice with the same seed and
# data: checkpoints, training logs, replay lines and paper ledgers must be byte-identical (oracle:
# the files of the first run). Also: the replay says that in-play prices are modelled, writes one
# decision line per live minute of 3754097 (95: minutes 0..94) and a held-out match listed as a
# training match is refused (exit 2).
#
#   cmake -DEXE=<superbet> -DDATA=<data root> -DWORK=<scratch dir> -P live_determinism.cmake

cmake_policy(VERSION 3.20)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include(${CMAKE_CURRENT_LIST_DIR}/determinism_helpers.cmake)

set(train_ids 3754138,3754237,3754300,3754112)
foreach(i 1 2)
  run(0 train --agent live --data ${DATA} --train_matches ${train_ids} --eval_matches 3754097
    --steps 3000 --seed 7 --out ${WORK}/live${i} --json ${WORK}/train${i}.json)
  if(NOT last_err MATCHES "in-play prices are MODELLED, not recorded")
    message(FATAL_ERROR "train does not say that in-play prices are modelled:\n${last_err}")
  endif()
  run(0 replay --data ${DATA} --match 3754097 --agent ${WORK}/live${i}
    --ledger ${WORK}/ledger${i}.jsonl --json ${WORK}/replay${i}.jsonl)
  if(NOT last_err MATCHES "in-play prices are modelled, not recorded")
    message(FATAL_ERROR "replay does not say that in-play prices are modelled:\n${last_err}")
  endif()
endforeach()
same(${WORK}/live1/checkpoint.pb ${WORK}/live2/checkpoint.pb)
same(${WORK}/train1.json ${WORK}/train2.json)
same(${WORK}/replay1.jsonl ${WORK}/replay2.jsonl)
same(${WORK}/ledger1.jsonl ${WORK}/ledger2.jsonl)

file(STRINGS ${WORK}/replay1.jsonl lines)
list(LENGTH lines n)
if(NOT n EQUAL 95)
  message(FATAL_ERROR "replay wrote ${n} decision lines, expected 95 (minutes 0..94 of 3754097)")
endif()
file(READ ${WORK}/train1.json train)
foreach(key "\"in_play_prices\":\"modelled, not recorded\"" "\"eval_match_ids\":.\"statsbomb:3754097\"."
    "\"brier\":" "\"updates\":")
  if(NOT train MATCHES "${key}")
    message(FATAL_ERROR "train1.json lacks ${key}:\n${train}")
  endif()
endforeach()

# A held-out match that is also a training match is refused.
run(2 train --agent live --data ${DATA} --train_matches 3754097 --eval_matches 3754097
  --steps 10 --out ${WORK}/overlap)
if(NOT last_err MATCHES "held-out match statsbomb:3754097 is also a training match")
  message(FATAL_ERROR "overlap message: ${last_err}")
endif()
file(REMOVE_RECURSE "${WORK}")
