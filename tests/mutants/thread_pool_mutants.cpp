// The thread-pool suite instantiated once per thread-pool mutant (mutant_thread_pool.hpp). Not a
// ctest test by itself: its tests are meant to fail; mutation_score_test runs it per mutant.
#include <conkit/conformance/thread_pool_suite.hpp>

#include <string>
#include <string_view>

#include "mutant_thread_pool.hpp"

namespace conkit::mutants {
// A mutant that declares RunsEachTaskExactlyOnce a known failure, for the XFAIL/XPASS meta-tests:
// with drops_task the property fails (XFAIL, the test passes); with no bug it holds (XPASS, fails).
template <PoolBug Bug>
struct DeclaresKnownFailure : MutantThreadPool<Bug> {
  using MutantThreadPool<Bug>::MutantThreadPool;
  static std::string known_failure(std::string_view property) {
    return property == "RunsEachTaskExactlyOnce" ? "declared by the XFAIL meta-test" : "";
  }
};
}  // namespace conkit::mutants

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
CONKIT_MUTANT(dies_on_exception);
CONKIT_MUTANT(defers_nested_submit);
CONKIT_MUTANT(lifo_queue);
CONKIT_MUTANT(worker_lost_wakeup);
INSTANTIATE_TYPED_TEST_SUITE_P(xfail_fails, ThreadPoolConformance,
                               ::testing::Types<mutants::DeclaresKnownFailure<mutants::PoolBug::drops_task>>);
INSTANTIATE_TYPED_TEST_SUITE_P(xfail_holds, ThreadPoolConformance,
                               ::testing::Types<mutants::DeclaresKnownFailure<mutants::PoolBug::none>>);
}  // namespace conkit::conformance
