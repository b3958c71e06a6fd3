// Precompiled for every case: the heavy headers most cases use.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/process/v2.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>
#include <conkit/facts.hpp>
