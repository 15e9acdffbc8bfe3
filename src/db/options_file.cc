#include "db/options_file.h"

#include <cstdio>
#include <string>

#include "db/filename.h"
#include "flowdb/db.h"
#include "util/crc32c.h"

namespace flowdb {

namespace {

constexpr std::string_view kHeaderMagic = "FLOWDB-OPTIONS ";
constexpr std::string_view kChecksumName = "checksum";

std::string ChecksumHex(std::string_view covered) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", crc32c::Mask(crc32c::Value(covered.data(), covered.size())));
  return buf;
}
constexpr size_t kMaxExtraNameLength = 128;
// Longest piece of a line or value quoted in an error message.
constexpr size_t kMaxQuoted = 64;

// s in double quotes for an error message: bytes outside printable ASCII
// (and '"', '\\') escaped as \xNN, cut after kMaxQuoted bytes.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < kMaxQuoted; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out.append(buf);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.append(s.size() > kMaxQuoted ? "\"..." : "\"");
  return out;
}

// Parses a decimal number of 1..9 digits that makes up all of s.
bool ParseSmallNumber(std::string_view s, int* out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsExtraNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '-';
}

void PutLine(std::string* dst, std::string_view name, std::string_view value) {
  dst->append(name);
  dst->push_back('=');
  dst->append(value);
  dst->push_back('\n');
}

const char* BoolName(bool b) { return b ? "true" : "false"; }

std::string SyncModeName(SyncMode m) {
  switch (m) {
    case SyncMode::kAlways: return "always";
    case SyncMode::kInterval: return "interval";
    case SyncMode::kNone: return "none";
  }
  return std::to_string(static_cast<int>(m));
}

std::string CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kLZ4: return "lz4";
  }
  return std::to_string(static_cast<int>(c));
}

// ParseOptionsFile with error messages starting with `context`.
Status Parse(std::string_view contents, const std::string& context,
             std::map<std::string, std::string>* out) {
  if (contents.size() > kMaxOptionsFileSize) {
    return Status::Corruption(context, "file is " + std::to_string(contents.size()) +
                                           " bytes, more than the limit of " +
                                           std::to_string(kMaxOptionsFileSize));
  }
  auto line_error = [&context](int line_no, const std::string& what) {
    return Status::Corruption(context, "line " + std::to_string(line_no) + ": " + what);
  };

  std::map<std::string, std::string> result;
  size_t pos = 0;
  for (int line_no = 1; pos < contents.size() || line_no == 1; line_no++) {
    size_t eol = contents.find('\n', pos);
    std::string_view line =
        contents.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line_no == 1) {
      int version = 0;
      if (line.substr(0, kHeaderMagic.size()) != kHeaderMagic ||
          !ParseSmallNumber(line.substr(kHeaderMagic.size()), &version) || version == 0) {
        return line_error(1, "bad header " + Quote(line) + ", expected " +
                                 Quote(kOptionsFileHeader));
      }
      if (version > kOptionsFileVersion) {
        return Status::NotSupported(context, "options file format version " +
                                                 std::to_string(version) +
                                                 "; this build reads version " +
                                                 std::to_string(kOptionsFileVersion));
      }
    } else {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos) return line_error(line_no, "no '=' in " + Quote(line));
      if (eq == 0) return line_error(line_no, "empty name in " + Quote(line));
      if (line.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
        return line_error(line_no, "control character in " + Quote(line));
      }
      std::string name(line.substr(0, eq));
      if (name == kChecksumName && eol != std::string_view::npos) {
        if (line.substr(eq + 1) != ChecksumHex(contents.substr(0, pos))) {
          return line_error(line_no, "checksum mismatch: the file is damaged");
        }
        pos = eol + 1;
        continue;
      }
      if (!result.emplace(name, std::string(line.substr(eq + 1))).second) {
        return line_error(line_no, "duplicate name " + Quote(name));
      }
    }
    if (eol == std::string_view::npos) {
      return line_error(line_no, "no newline at the end of " + Quote(line) + " (truncated?)");
    }
    pos = eol + 1;
  }
  *out = std::move(result);
  return Status::OK();
}

}  // namespace

Status ValidateOptionsExtras(const std::map<std::string, std::string>& extra) {
  for (const auto& [name, value] : extra) {
    bool name_ok = !name.empty() && name.size() <= kMaxExtraNameLength;
    for (char c : name) name_ok = name_ok && IsExtraNameChar(c);
    if (!name_ok) {
      return Status::InvalidArgument("options extra " + Quote(name),
                                     "name must be 1..128 bytes of [A-Za-z0-9_.-]");
    }
    if (value.find_first_of(std::string_view("\n\r\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("options extra " + Quote(name),
                                     "value holds a newline, carriage return or NUL");
    }
  }
  return Status::OK();
}

std::string EncodeOptionsFile(const Options& o,
                              const std::map<std::string, std::string>& extra) {
  std::string r(kOptionsFileHeader);
  r.push_back('\n');
  PutLine(&r, "format_version", std::to_string(FormatVersion()));
  PutLine(&r, "comparator", kOptionsComparatorName);
  // Every plain-value field of Options, in declaration order (env is skipped).
  PutLine(&r, "create_if_missing", BoolName(o.create_if_missing));
  PutLine(&r, "error_if_exists", BoolName(o.error_if_exists));
  PutLine(&r, "sync_mode", SyncModeName(o.sync_mode));
  PutLine(&r, "sync_interval_ms", std::to_string(o.sync_interval_ms));
  PutLine(&r, "wal_recovery", o.wal_recovery == WalRecovery::kSalvage ? "salvage" : "strict");
  PutLine(&r, "memtable_size", std::to_string(o.memtable_size));
  PutLine(&r, "max_frozen_memtables", std::to_string(o.max_frozen_memtables));
  PutLine(&r, "block_size", std::to_string(o.block_size));
  PutLine(&r, "block_restart_interval", std::to_string(o.block_restart_interval));
  PutLine(&r, "bloom_bits_per_key", std::to_string(o.bloom_bits_per_key));
  PutLine(&r, "compression", CompressionName(o.compression));
  PutLine(&r, "block_cache_size", std::to_string(o.block_cache_size));
  PutLine(&r, "max_open_files", std::to_string(o.max_open_files));
  PutLine(&r, "default_ttl_us", std::to_string(o.default_ttl_us));
  PutLine(&r, "ttl_basis", o.ttl_basis == Options::TtlBasis::kRecordTs ? "ts" : "write");
  PutLine(&r, "flush_interval_ms", std::to_string(o.flush_interval_ms));
  PutLine(&r, "compaction_trigger", std::to_string(o.compaction_trigger));
  PutLine(&r, "compaction_size_ratio", std::to_string(o.compaction_size_ratio));
  PutLine(&r, "max_space_amplification", std::to_string(o.max_space_amplification));
  PutLine(&r, "wal_retention_bytes", std::to_string(o.wal_retention_bytes));
  for (const auto& [name, value] : extra) {
    PutLine(&r, std::string(kOptionsExtraPrefix) + name, value);
  }
  PutLine(&r, kChecksumName, ChecksumHex(r));
  return r;
}

Status ParseOptionsFile(std::string_view contents, std::map<std::string, std::string>* out) {
  return Parse(contents, "options file", out);
}

std::map<std::string, std::string> StoredOptionsExtras(
    const std::map<std::string, std::string>& stored) {
  std::map<std::string, std::string> extras;
  for (auto it = stored.lower_bound(std::string(kOptionsExtraPrefix));
       it != stored.end() && it->first.rfind(kOptionsExtraPrefix, 0) == 0; ++it) {
    extras.emplace(it->first.substr(kOptionsExtraPrefix.size()), it->second);
  }
  return extras;
}

Status CheckOptionsCompatible(const std::map<std::string, std::string>& stored,
                              const Options& now,
                              const std::map<std::string, std::string>& extra_now) {
  auto version = stored.find("format_version");
  if (version == stored.end()) return Status::Corruption("OPTIONS file has no format_version");
  int stored_version = 0;
  if (!ParseSmallNumber(version->second, &stored_version) || stored_version == 0) {
    return Status::Corruption("OPTIONS file: bad format_version " + Quote(version->second));
  }
  if (stored_version > FormatVersion()) {
    return Status::NotSupported(
        "option format_version: the database was written with format " +
        std::to_string(stored_version) + ", this build supports formats up to " +
        std::to_string(FormatVersion()));
  }

  auto comparator = stored.find("comparator");
  if (comparator == stored.end()) return Status::Corruption("OPTIONS file has no comparator");
  if (comparator->second != kOptionsComparatorName) {
    return Status::InvalidArgument("option comparator: the database was created with " +
                                   Quote(comparator->second) + ", this build uses " +
                                   Quote(kOptionsComparatorName));
  }

  for (const auto& [name, value] : extra_now) {
    auto it = stored.find(std::string(kOptionsExtraPrefix) + name);
    if (it != stored.end() && it->second != value) {
      return Status::InvalidArgument("option " + name + ": the database was created with " +
                                     Quote(it->second) + ", requested " + Quote(value));
    }
  }
  return Status::OK();
}

Status WriteOptionsFile(Env* env, const std::string& dbname, const Options& o,
                        const std::map<std::string, std::string>& extra) {
  FLOWDB_RETURN_IF_ERROR(ValidateOptionsExtras(extra));
  std::string contents = EncodeOptionsFile(o, extra);
  if (contents.size() > kMaxOptionsFileSize) {
    return Status::InvalidArgument("options extras too large",
                                   "the options file would be " +
                                       std::to_string(contents.size()) + " bytes, limit " +
                                       std::to_string(kMaxOptionsFileSize));
  }
  std::string tmp = OptionsTempFileName(dbname);
  Status s = WriteStringToFile(env, contents, tmp, /*sync=*/true);
  if (s.ok()) s = env->RenameFile(tmp, OptionsFileName(dbname));
  if (s.ok()) s = env->SyncDir(dbname);
  if (!s.ok()) env->RemoveFile(tmp).PermitUncheckedError();
  return s;
}

Status ReadOptionsFile(Env* env, const std::string& dbname,
                       std::map<std::string, std::string>* out) {
  const std::string fname = OptionsFileName(dbname);
  uint64_t size = 0;
  Status s = env->GetFileSize(fname, &size);
  if (s.subcode() == Status::SubCode::kPathNotFound) return Status::NotFound(fname, "no such file");
  if (!s.ok()) return s;
  if (size > kMaxOptionsFileSize) {
    return Status::Corruption(fname, "file is " + std::to_string(size) +
                                         " bytes, more than the limit of " +
                                         std::to_string(kMaxOptionsFileSize));
  }
  std::string contents;
  s = ReadFileToString(env, fname, &contents);
  if (s.subcode() == Status::SubCode::kPathNotFound) return Status::NotFound(fname, "no such file");
  if (!s.ok()) return s;
  return Parse(contents, fname, out);
}

}  // namespace flowdb
