// oneTBB task_group + task_arena against the thread-pool conformance suite.
// Run: ctest -L conformance -R Tbb
#include <conkit/conformance/thread_pool_suite.hpp>

#include "tbb_adapter.hpp"

namespace conkit::conformance {
INSTANTIATE_TYPED_TEST_SUITE_P(TbbTaskGroup, ThreadPoolConformance, ::testing::Types<adapters::TbbTaskGroup>);
}  // namespace conkit::conformance
