// my_loop.hpp — the user's own event loop: one locked queue of handlers and an ordered map of
// timers, run on whichever thread calls run(). It knows nothing of conkit; my_loop_adapter.hpp
// maps it onto conkit's event-loop adapter concept.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>

namespace my {

class Loop {
 public:
  using Clock = std::chrono::steady_clock;

  void post(std::function<void()> h) {
    {
      std::lock_guard lock(mutex_);
      ready_.push_back(std::move(h));
    }
    wake_.notify_one();
  }

  // Runs `h` on the loop thread once `due` has passed; returns an id for cancel().
  std::uint64_t at(Clock::time_point due, std::function<void()> h) {
    std::uint64_t id;
    {
      std::lock_guard lock(mutex_);
      id = ++last_id_;
      timers_.emplace(std::pair{due, id}, std::move(h));  // equal deadlines: in start order
    }
    wake_.notify_one();
    return id;
  }

  // The timer will not run (a no-op if it already did).
  void cancel(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(timers_, [id](const auto& t) { return t.first.second == id; });
  }

  // Runs handlers and due timers until stop(); a handler's exception leaves run().
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      std::function<void()> next;
      if (!ready_.empty()) {
        next = std::move(ready_.front());
        ready_.pop_front();
      } else if (!timers_.empty() && timers_.begin()->first.first <= Clock::now()) {
        next = std::move(timers_.begin()->second);
        timers_.erase(timers_.begin());
      } else if (!timers_.empty()) {
        // A copy: wait_until reads its deadline again after waking, and a cancel() from another
        // thread may erase this timer (and the map node holding the deadline) while we wait.
        const Clock::time_point due = timers_.begin()->first.first;
        wake_.wait_until(lock, due);
        continue;
      } else {
        wake_.wait(lock);
        continue;
      }
      lock.unlock();
      next();  // outside the lock: handlers post and start timers
      next = nullptr;
      lock.lock();
    }
  }

  // Any thread; also before run(), which then returns at once.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> ready_;
  std::map<std::pair<Clock::time_point, std::uint64_t>, std::function<void()>> timers_;
  std::uint64_t last_id_ = 0;
  bool stopped_ = false;
};

}  // namespace my
