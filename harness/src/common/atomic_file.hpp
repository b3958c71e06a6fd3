// common/atomic_file.hpp — write a report so no reader ever sees half of it.
#pragma once

#include <string>

namespace conkit {

// Writes `text` to `path` atomically: a temporary file in the same directory (created if missing),
// written, fsync'ed, then rename(2)d over `path`. A reader sees the old file or the new one, never
// a part; of two concurrent writers one wins whole. Throws std::runtime_error naming the path and
// the error (ENOSPC, EACCES, ...); the temporary file is removed then.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace conkit
