// conkit's reference thread pool and process pool against the conformance suites.
// Run: ctest -L conformance -R Reference
#include <conkit/conformance/process_pool_suite.hpp>
#include <conkit/conformance/thread_pool_suite.hpp>

#include <reference_process_pool.hpp>
#include <reference_thread_pool.hpp>

namespace conkit::conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(ReferenceThreadPool, ThreadPoolConformance, ::testing::Types<reference::ThreadPool>);
INSTANTIATE_TYPED_TEST_SUITE_P(ReferenceProcessPool, ProcessPoolConformance,
                               ::testing::Types<reference::ProcessPool>);
}  // namespace conkit::conformance
