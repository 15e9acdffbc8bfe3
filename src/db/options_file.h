// The OPTIONS file of a data directory: the options the DB was last opened
// with, so that a later open can refuse settings that would misread the data.
//
// Format (text, every line ends with '\n'):
//
//   FLOWDB-OPTIONS 1           header: magic and version of this file format
//   name=value                 one per line, names unique, in any order
//
// A name is non-empty and holds no '=' (the value is everything after the
// first '='); values may be empty and hold no '\n', '\r' or NUL. No
// whitespace is trimmed. The file is at most kMaxOptionsFileSize bytes.
//
// The names written by this build are every plain-value field of
// flowdb::Options (env is a pointer and is skipped) under its own name, plus
//
//   format_version=N           FormatVersion() of the writing build
//   comparator=NAME            kOptionsComparatorName
//   extra.NAME=VALUE           a caller-supplied extra (e.g. the JS layer's
//                              key encoding), stored under kOptionsExtraPrefix
//
//   checksum=XXXXXXXX          written last: 8 lowercase hex digits of the
//                              masked crc32c of every byte before this line
//
// A checksum line that does not match is Corruption; lines after it (none
// are written) are not covered. Files without one (written by older builds)
// are read unchecked, and so is a file whose damage hides the checksum line
// (a changed name, or the newline before it): that damage is caught only if
// it also breaks the format. The parsed map does not include "checksum".
//
// Extras describe how the data was shaped by the caller, so CheckOptionsCompatible
// treats any change of one as an error; Options fields are tuning and may
// change freely (see CheckOptionsCompatible). Extras are prefixed so that
// they never collide with an Options field added by a later build.
//
// Thread safety: the functions share no state; WriteOptionsFile and
// ReadOptionsFile on the same dbname need external synchronization (the DB
// directory lock).

#ifndef FLOWDB_DB_OPTIONS_FILE_H_
#define FLOWDB_DB_OPTIONS_FILE_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "flowdb/env.h"
#include "flowdb/options.h"
#include "flowdb/status.h"

namespace flowdb {

// First line of an OPTIONS file written by this build.
inline constexpr std::string_view kOptionsFileHeader = "FLOWDB-OPTIONS 1";
// Version of the OPTIONS file format (the number in the header) this build reads.
inline constexpr int kOptionsFileVersion = 1;
// Largest OPTIONS file accepted (bytes); larger ones are corrupt.
inline constexpr size_t kMaxOptionsFileSize = 64 * 1024;
// Name of the key order of every FlowDB data directory: user key, then ts,
// then sequence number.
inline constexpr std::string_view kOptionsComparatorName = "flowdb.key-ts-seq.v1";
// Prefix of the names under which caller extras are stored.
inline constexpr std::string_view kOptionsExtraPrefix = "extra.";

// Returns OK if every extra may be stored: names are 1..128 bytes of
// [A-Za-z0-9_.-], values hold no '\n', '\r' or NUL. Otherwise
// InvalidArgument naming the extra.
Status ValidateOptionsExtras(const std::map<std::string, std::string>& extra);

// The contents of an OPTIONS file recording `o`, the format version, the
// comparator and `extra` (each stored as "extra.<name>"). Fields appear in a
// fixed order. Enums are written by name (sync_mode=always|interval|none,
// compression=none|lz4), bools as true/false, numbers in decimal.
// REQUIRES: ValidateOptionsExtras(extra).ok()
std::string EncodeOptionsFile(const Options& o,
                              const std::map<std::string, std::string>& extra);

// Parses the contents of an OPTIONS file into *out (name → value, names as
// stored, extras with their "extra." prefix). On failure *out is unchanged
// and the result is:
//   Corruption     contents over kMaxOptionsFileSize; a first line that is
//                  not "FLOWDB-OPTIONS <n>"; a line (numbered from 1 = the
//                  header) without '=', with an empty name, or with a name
//                  seen before; a last line without its '\n'
//   NotSupported   a header version above kOptionsFileVersion (a newer build)
Status ParseOptionsFile(std::string_view contents, std::map<std::string, std::string>* out);

// The extras of a parsed OPTIONS file, without their prefix.
std::map<std::string, std::string> StoredOptionsExtras(
    const std::map<std::string, std::string>& stored);

// Decides whether a DB whose OPTIONS file parsed to `stored` may be opened
// with `now` and the caller extras `extra_now`. Returns:
//   NotSupported     stored format_version is above FormatVersion()
//   InvalidArgument  the comparator differs, or an extra present both in
//                    `stored` and in `extra_now` has a different value; the
//                    message names the option and both values
//   Corruption       comparator or format_version is missing, or
//                    format_version is not a positive decimal number
// and OK otherwise. Options fields (memtable_size, block_size, cache sizes,
// sync_mode, bloom bits, default TTL, intervals, max_open_files,
// compression, ...) may differ; names this build does not know are ignored;
// an extra stored but not passed now, or passed now but not stored, is
// accepted. (`now` is taken for Options fields that may shape data in a later
// build; no field of today's Options does.)
Status CheckOptionsCompatible(const std::map<std::string, std::string>& stored,
                              const Options& now,
                              const std::map<std::string, std::string>& extra_now);

// Replaces dbname/OPTIONS atomically with EncodeOptionsFile(o, extra): writes
// OPTIONS.tmp, syncs it, renames it over OPTIONS and syncs dbname. Either the
// old or the new file survives a crash (a stale OPTIONS.tmp is removed by
// the next open). Returns InvalidArgument for extras that
// ValidateOptionsExtras rejects or that make the file larger than
// kMaxOptionsFileSize, else the Env's error, if any.
Status WriteOptionsFile(Env* env, const std::string& dbname, const Options& o,
                        const std::map<std::string, std::string>& extra);

// Reads and parses dbname/OPTIONS into *out. Returns NotFound if the file
// does not exist, Corruption (message starting with the file name) if it is
// larger than kMaxOptionsFileSize or malformed, NotSupported as
// ParseOptionsFile, or the Env's error.
Status ReadOptionsFile(Env* env, const std::string& dbname,
                       std::map<std::string, std::string>* out);

}  // namespace flowdb

#endif  // FLOWDB_DB_OPTIONS_FILE_H_
