// hiredis reply objects allocated from one arena per reply (lib/bus private).
//
// hiredis' default reader allocates every element of a reply on its own (a calloc for each
// redisReply, a malloc for each string, a calloc for each element vector): an XREADGROUP reply of
// 50 stream entries of 5 fields is ≈ 1 300 allocations, and as many frees. These functions build
// the same tree -- the same `redisReply` structs, types, lengths, NUL-terminated strings and
// element vectors, so every reader of a reply is unchanged -- in a few blocks owned by the reply's
// root, freed together by FreeArenaReply. Install them on a connection's reader
// (`ctx->reader->fn = ArenaReplyFunctions()`) and free every reply of that connection with
// FreeArenaReply (never freeReplyObject).
//
// Thread-safety: the functions keep no state of their own; a reply belongs to its reader's caller.

#ifndef SUPERBET_LIB_BUS_INTERNAL_REDIS_REPLY_ARENA_H_
#define SUPERBET_LIB_BUS_INTERNAL_REDIS_REPLY_ARENA_H_

#include <hiredis/hiredis.h>

namespace superbet::bus::internal {

// The reader callbacks (createString, createArray, createInteger, createNil, freeObject).
redisReplyObjectFunctions* ArenaReplyFunctions();

// Frees a root reply made by ArenaReplyFunctions and everything in it. Null is a no-op.
void FreeArenaReply(void* reply);

}  // namespace superbet::bus::internal

#endif  // SUPERBET_LIB_BUS_INTERNAL_REDIS_REPLY_ARENA_H_
