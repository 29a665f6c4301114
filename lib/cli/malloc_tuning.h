#ifndef SUPERBET_CLI_MALLOC_TUNING_H_
#define SUPERBET_CLI_MALLOC_TUNING_H_

namespace superbet::cli {

// Tunes glibc malloc for a short batch job that builds and frees many small protobuf messages
// and strings (`superbet backtest`: the 25 season files, then the walk-forward refits). Called
// once at the start of such a command (main, for `superbet backtest`), before its threads start;
// a no-op off glibc. Changes no
// result: only where and when freed memory is reused.
//
// * M_MXFAST = 0: no fastbins. A small free goes to the thread cache (tcache) as before and,
//   once that is full, is merged with its neighbours at once instead of waiting in a fastbin
//   until the next large request merges them all (malloc_consolidate, 3.7 % of the main job's
//   cycles before).
// * M_TRIM_THRESHOLD 256 MiB, M_TOP_PAD 64 MiB: the heap is not handed back to the kernel after
//   each large free and is grown in large steps, so pages freed by one season are reused by the
//   next without a new page fault (page faults 13.3 k -> 11.1 k).
// * M_MMAP_THRESHOLD 32 MiB (glibc's maximum): the large vectors (lines, fixtures, window
//   tables) come from the heap, not from a fresh mmap whose pages fault in again each time.
// Memory: at most the pad (64 MiB of address space, touched only when used) beyond the peak.
// Measured on the main job, `perf stat -r 5 -e task-clock`, `--threads 1`, three interleaved
// rounds on a loaded machine: CPU 441 / 430 / 463 ms without -> 415 / 408 / 448 ms with
// (bench/README.md, "Main job: data loading").
// Not thread-safe: call before any other thread allocates.
void TuneMallocForBatchJob();

}  // namespace superbet::cli

#endif  // SUPERBET_CLI_MALLOC_TUNING_H_
