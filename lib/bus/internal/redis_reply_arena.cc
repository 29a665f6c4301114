#include "bus/internal/redis_reply_arena.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace superbet::bus::internal {
namespace {

// Layout of a reply: the first block holds [Block][Arena][root redisReply][free space ...];
// further blocks, when the reply outgrows it, hold [Block][free space ...]. `blocks` lists them
// newest first, the first block last (it holds the Arena itself).
struct Block {
  Block* next;
  void* pad;  // Keeps what follows 16-byte aligned.
};
struct Arena {
  Block* blocks;
  char* cur;
  size_t left;
  size_t pad;
};
static_assert(sizeof(Block) % 16 == 0 && sizeof(Arena) % 16 == 0);

constexpr size_t kAlign = alignof(std::max_align_t);
constexpr size_t kMinBlock = 16 * 1024;

size_t Round(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

Arena* ArenaOf(redisReply* root) {
  return reinterpret_cast<Arena*>(reinterpret_cast<char*>(root) - sizeof(Arena));
}

void* Take(Arena* a, size_t n) {
  n = Round(n);
  if (n > a->left) {
    const size_t size = std::max(kMinBlock, n);
    auto* b = static_cast<Block*>(std::malloc(sizeof(Block) + size));
    if (b == nullptr) return nullptr;
    b->next = a->blocks;
    a->blocks = b;
    a->cur = reinterpret_cast<char*>(b + 1);
    a->left = size;
  }
  void* p = a->cur;
  a->cur += n;
  a->left -= n;
  return p;
}

// A new root: its first block sized for the root, `extra` bytes of payload and some room.
redisReply* NewRoot(size_t extra) {
  const size_t room = Round(sizeof(redisReply)) + Round(extra);
  const size_t size = sizeof(Block) + sizeof(Arena) + room;
  auto* b = static_cast<Block*>(std::malloc(size));
  if (b == nullptr) return nullptr;
  b->next = nullptr;
  auto* a = reinterpret_cast<Arena*>(b + 1);
  a->blocks = b;
  a->cur = reinterpret_cast<char*>(a + 1);
  a->left = room;
  auto* r = static_cast<redisReply*>(Take(a, sizeof(redisReply)));
  std::memset(r, 0, sizeof(*r));
  return r;
}

// The reply object of task `t`: a new root when `t` has no parent (with `extra` bytes reserved
// in its first block), else an element of the root's arena, stored in its parent's vector.
redisReply* NewReply(const redisReadTask* t, int type, size_t extra) {
  redisReply* r = nullptr;
  if (t->parent == nullptr) {
    r = NewRoot(extra);
  } else {
    const redisReadTask* top = t;
    while (top->parent != nullptr) top = top->parent;
    auto* root = static_cast<redisReply*>(top->obj);
    r = static_cast<redisReply*>(Take(ArenaOf(root), sizeof(redisReply)));
    if (r == nullptr) return nullptr;
    std::memset(r, 0, sizeof(*r));
    auto* parent = static_cast<redisReply*>(t->parent->obj);
    assert(parent->type == REDIS_REPLY_ARRAY);
    parent->element[t->idx] = r;
  }
  if (r != nullptr) r->type = type;
  return r;
}

Arena* ArenaOfTask(const redisReadTask* t, redisReply* r) {
  if (t->parent == nullptr) return ArenaOf(r);
  const redisReadTask* top = t;
  while (top->parent != nullptr) top = top->parent;
  return ArenaOf(static_cast<redisReply*>(top->obj));
}

void* CreateString(const redisReadTask* t, char* str, size_t len) {
  redisReply* r = NewReply(t, t->type, len + 1);
  if (r == nullptr) return nullptr;
  char* buf = static_cast<char*>(Take(ArenaOfTask(t, r), len + 1));
  if (buf == nullptr) return nullptr;
  std::memcpy(buf, str, len);
  buf[len] = '\0';
  r->str = buf;
  r->len = len;
  return r;
}

void* CreateArray(const redisReadTask* t, int elements) {
  const size_t n = elements > 0 ? static_cast<size_t>(elements) : 0;
  // A root array reserves its vector and ≈ 64 bytes per element for what the elements hold.
  redisReply* r = NewReply(t, REDIS_REPLY_ARRAY, n * (sizeof(redisReply*) + 64));
  if (r == nullptr) return nullptr;
  if (n > 0) {
    auto** v = static_cast<redisReply**>(Take(ArenaOfTask(t, r), n * sizeof(redisReply*)));
    if (v == nullptr) return nullptr;
    std::memset(v, 0, n * sizeof(redisReply*));
    r->element = v;
  }
  r->elements = n;
  return r;
}

void* CreateInteger(const redisReadTask* t, long long value) {
  redisReply* r = NewReply(t, REDIS_REPLY_INTEGER, 0);
  if (r != nullptr) r->integer = value;
  return r;
}

void* CreateNil(const redisReadTask* t) { return NewReply(t, REDIS_REPLY_NIL, 0); }

redisReplyObjectFunctions kFunctions = {CreateString, CreateArray, CreateInteger, CreateNil,
                                        FreeArenaReply};

}  // namespace

redisReplyObjectFunctions* ArenaReplyFunctions() { return &kFunctions; }

void FreeArenaReply(void* reply) {
  if (reply == nullptr) return;
  Block* b = ArenaOf(static_cast<redisReply*>(reply))->blocks;
  while (b != nullptr) {
    Block* next = b->next;
    std::free(b);
    b = next;
  }
}

}  // namespace superbet::bus::internal
