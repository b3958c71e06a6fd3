// uv_adapters.hpp — libuv executors mapped onto the conformance adapter concepts: a uv_loop_t as an
// event loop (UvLoop), the uv_queue_work threadpool as a thread pool (UvWorkQueue), and uv_spawn
// children as a process pool (UvProcessPool). Under ThreadSanitizer the process pool is skipped,
// with the reason (uv_common.hpp); the other two run.
#pragma once

#include "uv_loop_adapter.hpp"
#include "uv_spawn_adapter.hpp"
#include "uv_work_adapter.hpp"
