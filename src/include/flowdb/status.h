// Status: the result of every engine operation that can fail.
//
// Thread safety: a Status is a value; distinct objects may be used from
// distinct threads without synchronization, a shared one only for reading.
//
// OK costs nothing (no allocation). A failure carries a Code, a SubCode the
// Node binding can tell apart without reading the message, an errno where the
// cause was a system call, and a human-readable message.

#ifndef FLOWDB_INCLUDE_STATUS_H_
#define FLOWDB_INCLUDE_STATUS_H_

#include <memory>
#include <string>
#include <string_view>

namespace flowdb {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kCorruption,
    kNotSupported,
    kInvalidArgument,
    kIOError,
    kBusy,  // a conflicting operation holds the resource (e.g. a write stall)
    kLocked,  // the data directory is locked by another open DB
    kClosed,  // the DB was closed
    kConflict,    // an optimistic transaction lost: something it read changed
    kConstraint,  // a write broke a constraint (unique index, add of an existing key)
  };

  // Refines kIOError (and, for kNoSpace, any code that came from a write).
  enum class SubCode : unsigned char {
    kNone = 0,
    kNoSpace,    // ENOSPC / EDQUOT
    kPathNotFound,
    kWouldBlock,  // kBusy: a memory-only read needs file I/O (or more work than allowed)
    // Refine kInvalidArgument (document store):
    kInvalidKey,            // not a valid key, or a key path that yields none
    kTransactionReadOnly,   // a write in a read-only transaction
    kTransactionInactive,   // a call on a committed or aborted transaction
    // Refines kNotFound (change feed):
    kSequenceGone,  // the WAL segment holding a sequence number was deleted
  };

  Status() noexcept = default;
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotFound, SubCode::kNone, 0, msg, msg2);
  }
  static Status Corruption(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kCorruption, SubCode::kNone, 0, msg, msg2);
  }
  static Status NotSupported(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotSupported, SubCode::kNone, 0, msg, msg2);
  }
  static Status InvalidArgument(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, SubCode::kNone, 0, msg, msg2);
  }
  static Status IOError(std::string_view msg, std::string_view msg2 = {},
                        int err = 0, SubCode sub = SubCode::kNone) {
    return Status(Code::kIOError, sub, err, msg, msg2);
  }
  // An IOError built from errno `err` for an operation on `context` (a path).
  static Status FromErrno(std::string_view context, int err);
  static Status Busy(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kBusy, SubCode::kNone, 0, msg, msg2);
  }
  // A read made with ReadOptions::memory_only (or a read budget) that would
  // have to read a file, or do more work than allowed, to go on: the caller
  // retries it where blocking is fine. A kBusy with SubCode kWouldBlock.
  static Status WouldBlock(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kBusy, SubCode::kWouldBlock, 0, msg, msg2);
  }
  // A change feed's next sequence number is in no WAL segment the DB kept.
  static Status SequenceGone(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotFound, SubCode::kSequenceGone, 0, msg, msg2);
  }
  static Status Locked(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kLocked, SubCode::kNone, 0, msg, msg2);
  }
  static Status Closed(std::string_view msg = "database is closed") {
    return Status(Code::kClosed, SubCode::kNone, 0, msg, {});
  }

  static Status Conflict(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kConflict, SubCode::kNone, 0, msg, msg2);
  }
  static Status Constraint(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kConstraint, SubCode::kNone, 0, msg, msg2);
  }
  static Status InvalidKey(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, SubCode::kInvalidKey, 0, msg, msg2);
  }
  static Status TransactionReadOnly(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, SubCode::kTransactionReadOnly, 0, msg, msg2);
  }
  static Status TransactionInactive(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, SubCode::kTransactionInactive, 0, msg, msg2);
  }

  bool ok() const { return rep_ == nullptr; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsNotSupported() const { return code() == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsIOError() const { return code() == Code::kIOError; }
  bool IsBusy() const { return code() == Code::kBusy; }
  bool IsLocked() const { return code() == Code::kLocked; }
  bool IsClosed() const { return code() == Code::kClosed; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsConstraint() const { return code() == Code::kConstraint; }
  bool IsInvalidKey() const { return subcode() == SubCode::kInvalidKey; }
  bool IsNoSpace() const { return subcode() == SubCode::kNoSpace; }
  bool IsWouldBlock() const { return subcode() == SubCode::kWouldBlock; }

  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  SubCode subcode() const { return rep_ ? rep_->subcode : SubCode::kNone; }
  // The errno behind an IOError, or 0.
  int err() const { return rep_ ? rep_->err : 0; }
  // The message without the code prefix ("" for OK).
  const std::string& message() const;

  // "OK", or "<Code>: <message>", e.g. "Corruption: wal/000004.log at offset 96: bad checksum".
  std::string ToString() const;

  // Marks a deliberately ignored Status; greppable.
  void PermitUncheckedError() const {}

 private:
  struct Rep {
    Code code;
    SubCode subcode;
    int err;
    std::string msg;
  };
  Status(Code code, SubCode sub, int err, std::string_view msg, std::string_view msg2);

  std::unique_ptr<Rep> rep_;
};

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define FLOWDB_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::flowdb::Status _s = (expr);           \
    if (!_s.ok()) return _s;                \
  } while (0)

}  // namespace flowdb

#endif  // FLOWDB_INCLUDE_STATUS_H_
