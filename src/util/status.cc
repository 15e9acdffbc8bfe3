#include "flowdb/status.h"

#include <cerrno>
#include <cstring>

namespace flowdb {

Status::Status(Code code, SubCode sub, int err, std::string_view msg, std::string_view msg2)
    : rep_(new Rep{code, sub, err, std::string(msg)}) {
  if (!msg2.empty()) {
    rep_->msg.append(": ");
    rep_->msg.append(msg2);
  }
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? new Rep(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_.reset(other.rep_ ? new Rep(*other.rep_) : nullptr);
  return *this;
}

Status Status::FromErrno(std::string_view context, int err) {
  SubCode sub = SubCode::kNone;
  if (err == ENOSPC || err == EDQUOT) sub = SubCode::kNoSpace;
  if (err == ENOENT) sub = SubCode::kPathNotFound;
  char buf[128];
  // GNU strerror_r may return a static string instead of filling buf.
  const char* text = strerror_r(err, buf, sizeof(buf));
  return Status(Code::kIOError, sub, err, context, text);
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->msg : kEmpty;
}

std::string Status::ToString() const {
  if (!rep_) return "OK";
  const char* name = "Unknown";
  switch (rep_->code) {
    case Code::kOk: name = "OK"; break;
    case Code::kNotFound: name = "NotFound"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kNotSupported: name = "Not supported"; break;
    case Code::kInvalidArgument: name = "Invalid argument"; break;
    case Code::kIOError: name = "IO error"; break;
    case Code::kBusy: name = "Busy"; break;
    case Code::kLocked: name = "Locked"; break;
    case Code::kClosed: name = "Closed"; break;
    case Code::kConflict: name = "Conflict"; break;
    case Code::kConstraint: name = "Constraint"; break;
  }
  std::string out(name);
  out.append(": ");
  out.append(rep_->msg);
  return out;
}

}  // namespace flowdb
