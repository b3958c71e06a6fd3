// paths.cpp — run-time lookup of conkit's data files (paths.hpp).
#include <conkit/paths.hpp>

#include <system_error>

namespace conkit {

namespace fs = std::filesystem;

fs::path program_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string default_manifest() {
  const fs::path bin = program_dir();
  const fs::path installed = bin / ".." / "share" / "conkit" / "conkit-cases.json";
  const fs::path build_tree = bin / ".." / "conkit-cases.json";
  std::error_code ec;
  if (!fs::exists(installed, ec) && fs::exists(build_tree, ec)) return build_tree.lexically_normal().string();
  return installed.lexically_normal().string();
}

std::string default_registry() {
  return (program_dir() / ".." / "share" / "conkit" / "expected" / "claims.json").lexically_normal().string();
}

std::string resolve_origin(const std::string& value, const fs::path& origin_dir) {
  static const std::string origin = "$ORIGIN/";
  if (value.rfind(origin, 0) != 0) return value;
  return (origin_dir / value.substr(origin.size())).lexically_normal().string();
}

}  // namespace conkit
