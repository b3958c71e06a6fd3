// libuv against the conformance suites: uv_loop_t (event loop), uv_queue_work (thread pool) and
// uv_spawn (process pool). Run: ctest -L conformance -R Uv
#include <conkit/conformance/event_loop_suite.hpp>
#include <conkit/conformance/process_pool_suite.hpp>
#include <conkit/conformance/thread_pool_suite.hpp>

#include "uv_adapters.hpp"

namespace conkit::conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(UvLoop, EventLoopConformance, ::testing::Types<adapters::UvLoop>);
INSTANTIATE_TYPED_TEST_SUITE_P(UvWorkQueue, ThreadPoolConformance, ::testing::Types<adapters::UvWorkQueue>);
INSTANTIATE_TYPED_TEST_SUITE_P(UvProcessPool, ProcessPoolConformance, ::testing::Types<adapters::UvProcessPool>);
}  // namespace conkit::conformance
