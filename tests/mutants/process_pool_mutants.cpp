// The process-pool suite instantiated once per process-pool mutant (mutant_process_pool.hpp). Not a
// ctest test by itself: its tests are meant to fail; mutation_score_test runs it per mutant.
#include <conkit/conformance/process_pool_suite.hpp>

#include "mutant_process_pool.hpp"

namespace conkit::conformance {
#define CONKIT_MUTANT(bug)                                  \
  INSTANTIATE_TYPED_TEST_SUITE_P(bug, ProcessPoolConformance, \
                                 ::testing::Types<mutants::MutantProcessPool<mutants::ProcessBug::bug>>)
CONKIT_MUTANT(none);
CONKIT_MUTANT(leaks_zombies);
CONKIT_MUTANT(pipe_buffer_deadlock);
CONKIT_MUTANT(leaks_fds);
CONKIT_MUTANT(waits_for_eof);
CONKIT_MUTANT(runs_in_parent);
}  // namespace conkit::conformance
