// message_queue.hpp — a bounded FIFO between threads: a std::mutex and two condition variables.
//
//   message_queue<T> q(16);
//   q.push(v);                 // blocks while 16 items wait (back-pressure, like a full pipe)
//   std::optional<T> v = q.pop();  // blocks while empty; nothing once closed and drained
//   q.close();                 // no more pushes: wakes every waiting pop
//
// Thread safety: any number of pushing and popping threads. Memory ordering: everything a thread
// wrote before push() is visible to the thread whose pop() returns that item (the mutex orders it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace conkit::cases {

template <class T>
class message_queue {
 public:
  explicit message_queue(std::size_t capacity) : capacity_(capacity) {}

  void push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }

  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace conkit::cases
