// The thread-pool suite instantiated once per thread-pool mutant (mutant_thread_pool.hpp). Not a
// ctest test by itself: its tests are meant to fail; mutation_score_test runs it per mutant.
#include <conkit/conformance/thread_pool_suite.hpp>

#include "mutant_thread_pool.hpp"

namespace conkit::conformance {
#define CONKIT_MUTANT(bug) \
  INSTANTIATE_TYPED_TEST_SUITE_P(bug, ThreadPoolConformance, ::testing::Types<mutants::MutantThreadPool<mutants::PoolBug::bug>>)
CONKIT_MUTANT(none);
CONKIT_MUTANT(drops_task);
CONKIT_MUTANT(runs_task_twice);
CONKIT_MUTANT(early_wait);
CONKIT_MUTANT(lost_wakeup);
CONKIT_MUTANT(deadlock_at_shutdown);
CONKIT_MUTANT(drops_pending);
CONKIT_MUTANT(swallows_exceptions);
CONKIT_MUTANT(serializes);
CONKIT_MUTANT(oversubscribes);
CONKIT_MUTANT(unsynchronized_queue);
}  // namespace conkit::conformance
