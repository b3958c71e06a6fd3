// Boost.Asio against the conformance suites: asio::thread_pool (thread pool) and io_context (loop).
// Run: ctest -L conformance -R Asio
#include <conkit/conformance/event_loop_suite.hpp>
#include <conkit/conformance/thread_pool_suite.hpp>

#include "asio_adapters.hpp"

namespace conkit::conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(AsioThreadPool, ThreadPoolConformance, ::testing::Types<adapters::AsioThreadPool>);
INSTANTIATE_TYPED_TEST_SUITE_P(AsioIoContext, EventLoopConformance, ::testing::Types<adapters::AsioIoContext>);
}  // namespace conkit::conformance
