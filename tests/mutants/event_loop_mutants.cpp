// The event-loop suite instantiated once per event-loop mutant (mutant_event_loop.hpp). Not a
// ctest test by itself: its tests are meant to fail; mutation_score_test runs it per mutant.
#include <conkit/conformance/event_loop_suite.hpp>

#include "mutant_event_loop.hpp"

namespace conkit::conformance {
#define CONKIT_MUTANT(bug) \
  INSTANTIATE_TYPED_TEST_SUITE_P(bug, EventLoopConformance, ::testing::Types<mutants::MutantEventLoop<mutants::LoopBug::bug>>)
CONKIT_MUTANT(none);
CONKIT_MUTANT(blocking_timer);
CONKIT_MUTANT(early_timer);
CONKIT_MUTANT(runs_off_loop);
CONKIT_MUTANT(timers_in_post_order);
CONKIT_MUTANT(coarse_timer_tick);
CONKIT_MUTANT(cancel_too_late);
CONKIT_MUTANT(stop_before_run_lost);
CONKIT_MUTANT(swallows_exceptions);
}  // namespace conkit::conformance
