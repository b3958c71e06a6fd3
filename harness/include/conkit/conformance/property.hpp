// conkit/conformance/property.hpp — what every conformance suite's test fixture shares: skipping an
// executor that cannot be checked in this build, the watchdog, known failures (XFAIL/XPASS) and
// optional capabilities, and short number formatting for failure messages.
//
// Known failures. A real executor can have a real limitation. Its adapter declares the property it
// is known to fail, with the reason:
//
//   static std::string known_failure(std::string_view property) {
//     if (property == "StarvationBounded") return "LIFO work stealing: the owner's deque is a stack";
//     return {};
//   }
//
// The suite still runs that property, with its failures intercepted: if it fails, the test passes
// and prints "XFAIL (<reason>)" with the first failure; if it passes, the test FAILS as "XPASS"
// (the limitation is gone, or the declaration is wrong: remove it). A property that hangs cannot
// be XFAILed: the watchdog still ends the process.
//
// Optional capabilities (nested submit, timer cancellation) are declared by the adapter; a
// property that needs one it lacks is skipped with the reason (skip_unless()).
#pragma once

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <conkit/conformance/watchdog.hpp>

namespace conkit::conformance {

// The reason adapter A declares for failing `property` (empty: it is expected to hold).
template <class A>
std::string known_failure_reason(std::string_view property) {
  if constexpr (requires { { A::known_failure(property) } -> std::convertible_to<std::string>; }) {
    return A::known_failure(property);
  } else {
    return {};
  }
}

// A number for a failure message: at most 3 decimals, no trailing zeros ("0.3", "12.25", "4").
// GoogleTest's own message stream prints doubles with 17 significant digits (0.29999999999999999).
inline std::string show(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// The fixture base of the three suites: skip, watchdog, XFAIL.
template <class A>
class PropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = unsupported_reason<A>(); !why.empty()) GTEST_SKIP() << why;
    const auto* info = current();
    dog_.emplace(property_name(info));
    back_to_test();
    xfail_reason_ = known_failure_reason<A>(info->name());
    if (!xfail_reason_.empty()) {
      intercepted_ = std::make_unique<::testing::TestPartResultArray>();
      interceptor_ = std::make_unique<::testing::ScopedFakeTestPartResultReporter>(
          ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ALL_THREADS, intercepted_.get());
    }
  }

  void TearDown() override {
    dog_.reset();  // everything the test started has ended
    if (!interceptor_) return;
    interceptor_.reset();  // failures from here on are reported normally
    int failures = 0;
    std::string first, skipped;
    for (int i = 0; i < intercepted_->size(); ++i) {
      const auto& r = intercepted_->GetTestPartResult(i);
      if (r.skipped()) {
        skipped = r.message();
      } else if (r.failed()) {
        if (failures++ == 0) first = std::string(r.file_name() ? r.file_name() : "?") + ":" +
                                     std::to_string(r.line_number()) + ": " + r.message();
      }
    }
    if (failures > 0) {
      std::printf("XFAIL (%s): %d failure(s), first: %s\n", xfail_reason_.c_str(), failures, first.c_str());
    } else if (!skipped.empty()) {
      GTEST_SKIP() << skipped;
    } else {
      ADD_FAILURE() << "XPASS: declared a known failure (" << xfail_reason_
                    << "), but the property held: remove the known_failure declaration";
    }
  }

  static const ::testing::TestInfo* current() { return ::testing::UnitTest::GetInstance()->current_test_info(); }
  // Names what the test is doing now for the watchdog (a hang here breaks `property`).
  void phase(const char* property) { dog_->phase(property); }
  void back_to_test() { dog_->phase(current()->name()); }

  std::optional<Watchdog> dog_;

 private:
  std::string xfail_reason_;
  std::unique_ptr<::testing::TestPartResultArray> intercepted_;
  std::unique_ptr<::testing::ScopedFakeTestPartResultReporter> interceptor_;
};

}  // namespace conkit::conformance
