// conkit/paths.hpp — where this conkit's data files are, found at run time from the running
// program's own location: nothing of the build tree is baked into the binary, so an installed
// conkit (the .deb, `cmake --install`, or a package unpacked anywhere) finds its own files.
//
//   <prefix>/bin/conkit                          the CLI
//   <prefix>/share/conkit/conkit-cases.json      the shipped cases' manifest (installed)
//   <prefix>/share/conkit/expected/claims.json   the claims registry
// The build tree mirrors this: build/bin/conkit, build/conkit-cases.json and
// build/share/conkit/expected/claims.json (a copy kept current by the configure step).
//
// In a manifest, a path starting with "$ORIGIN/" is relative to the manifest's own directory
// (resolve_origin); the installed manifest uses it for every case binary, script and expected file.
#pragma once

#include <filesystem>
#include <string>

namespace conkit {

// The directory of the running executable (/proc/self/exe); empty if it cannot be read.
std::filesystem::path program_dir();

// The default case manifest: <program>/../share/conkit/conkit-cases.json if it exists, else
// <program>/../conkit-cases.json (a build tree). The first if neither exists (for the error).
std::string default_manifest();

// The default claims registry: <program>/../share/conkit/expected/claims.json.
std::string default_registry();

// `value` with a leading "$ORIGIN/" replaced by `origin_dir` + "/"; other values unchanged.
std::string resolve_origin(const std::string& value, const std::filesystem::path& origin_dir);

}  // namespace conkit
