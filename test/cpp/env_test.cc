// Tests of the POSIX and in-memory Envs (one parameterized suite runs over
// both) and of the FaultInjectionEnv.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "env/fault_injection_env.h"
#include "flowdb/env.h"
#include "test_util.h"

namespace flowdb {
namespace {

enum class EnvKind { kPosix, kMem };

std::string EnvKindName(const testing::TestParamInfo<EnvKind>& info) {
  return info.param == EnvKind::kPosix ? "Posix" : "Mem";
}
void PrintTo(EnvKind kind, std::ostream* os) { *os << (kind == EnvKind::kPosix ? "Posix" : "Mem"); }

// Runs a test against a fresh directory of the Env under test.
class EnvTest : public testing::TestWithParam<EnvKind> {
 protected:
  void SetUp() override {
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    if (GetParam() == EnvKind::kPosix) {
      env_ = Env::Default();
      dir_ = test::TempDir("env-" + name);
    } else {
      mem_env_ = NewMemEnv();
      env_ = mem_env_.get();
      dir_ = "/mem/" + name;
      ASSERT_OK(env_->CreateDir(dir_));
    }
  }

  void TearDown() override {
    if (GetParam() == EnvKind::kPosix && !HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string Contents(const std::string& fname) {
    std::string data;
    Status s = ReadFileToString(env_, fname, &data);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return data;
  }

  std::unique_ptr<Env> mem_env_;
  Env* env_ = nullptr;
  std::string dir_;
};

TEST_P(EnvTest, WriteThenReadSequentiallyAndAtRandom) {
  const std::string f = Path("data");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewWritableFile(f, &w));
  ASSERT_OK(w->Append("hello "));
  ASSERT_OK(w->Append(""));
  ASSERT_OK(w->Append("world"));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Close());
  EXPECT_TRUE(env_->FileExists(f));
  uint64_t size = 0;
  ASSERT_OK(env_->GetFileSize(f, &size));
  EXPECT_EQ(size, 11u);

  std::unique_ptr<SequentialFile> seq;
  ASSERT_OK(env_->NewSequentialFile(f, &seq));
  char scratch[32];
  std::string_view got;
  ASSERT_OK(seq->Read(5, &got, scratch));
  EXPECT_EQ(got, "hello");
  ASSERT_OK(seq->Skip(1));
  ASSERT_OK(seq->Read(32, &got, scratch));
  EXPECT_EQ(got, "world");  // short read only at the end
  ASSERT_OK(seq->Read(32, &got, scratch));
  EXPECT_TRUE(got.empty());
  ASSERT_OK(seq->Skip(100));  // stops at the end
  ASSERT_OK(seq->Read(32, &got, scratch));
  EXPECT_TRUE(got.empty());

  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_OK(env_->NewRandomAccessFile(f, &ra));
  ASSERT_OK(ra->Read(6, 5, &got, scratch));
  EXPECT_EQ(got, "world");
  ASSERT_OK(ra->Read(0, 5, &got, scratch));
  EXPECT_EQ(got, "hello");
  ASSERT_OK(ra->Read(9, 10, &got, scratch));
  EXPECT_EQ(got, "ld");
  ASSERT_OK(ra->Read(50, 10, &got, scratch));
  EXPECT_TRUE(got.empty());
}

TEST_P(EnvTest, AppendIsVisibleBeforeSyncOrClose) {
  // No user-space buffering: another handle sees the bytes at once.
  const std::string f = Path("wal");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewWritableFile(f, &w));
  ASSERT_OK(w->Append("abc"));
  EXPECT_EQ(Contents(f), "abc");
  uint64_t size = 0;
  ASSERT_OK(env_->GetFileSize(f, &size));
  EXPECT_EQ(size, 3u);
}

TEST_P(EnvTest, NewWritableFileTruncates) {
  const std::string f = Path("f");
  ASSERT_OK(WriteStringToFile(env_, "long contents", f, false));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewWritableFile(f, &w));
  ASSERT_OK(w->Append("x"));
  ASSERT_OK(w->Close());
  EXPECT_EQ(Contents(f), "x");
}

TEST_P(EnvTest, AppendableFileAppendsOrCreates) {
  const std::string f = Path("f");
  ASSERT_OK(WriteStringToFile(env_, "hello", f, true));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewAppendableFile(f, &w));
  ASSERT_OK(w->Append(" world"));
  ASSERT_OK(w->Close());
  EXPECT_EQ(Contents(f), "hello world");

  const std::string g = Path("new");
  ASSERT_OK(env_->NewAppendableFile(g, &w));
  ASSERT_OK(w->Append("g"));
  ASSERT_OK(w->Close());
  EXPECT_EQ(Contents(g), "g");
}

TEST_P(EnvTest, TruncateThenAppendContinuesAtNewEnd) {
  const std::string f = Path("f");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewWritableFile(f, &w));
  ASSERT_OK(w->Append(std::string(100, 'a')));
  ASSERT_OK(w->Truncate(40));
  ASSERT_OK(w->Append("xyz"));
  ASSERT_OK(w->Close());
  EXPECT_EQ(Contents(f), std::string(40, 'a') + "xyz");
}

TEST_P(EnvTest, UseAfterCloseFails) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env_->NewWritableFile(Path("f"), &w));
  ASSERT_OK(w->Close());
  EXPECT_OK(w->Close());  // closing twice is harmless
  EXPECT_TRUE(w->Append("x").IsIOError());
  EXPECT_TRUE(w->Sync().IsIOError());
  EXPECT_TRUE(w->Truncate(0).IsIOError());
}

TEST_P(EnvTest, RenameReplacesTarget) {
  const std::string a = Path("a"), b = Path("b");
  ASSERT_OK(WriteStringToFile(env_, "new", a, false));
  ASSERT_OK(WriteStringToFile(env_, "old", b, false));
  ASSERT_OK(env_->RenameFile(a, b));
  EXPECT_FALSE(env_->FileExists(a));
  EXPECT_EQ(Contents(b), "new");

  Status s = env_->RenameFile(Path("missing"), b);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.subcode(), Status::SubCode::kPathNotFound);
  EXPECT_EQ(Contents(b), "new");
}

TEST_P(EnvTest, RemoveFile) {
  const std::string f = Path("f");
  ASSERT_OK(WriteStringToFile(env_, "x", f, false));
  ASSERT_OK(env_->RemoveFile(f));
  EXPECT_FALSE(env_->FileExists(f));
  Status s = env_->RemoveFile(f);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.subcode(), Status::SubCode::kPathNotFound);
  EXPECT_EQ(s.err(), ENOENT);
}

TEST_P(EnvTest, MissingFileErrorsNameThePath) {
  const std::string f = Path("missing");
  std::unique_ptr<SequentialFile> seq;
  std::unique_ptr<RandomAccessFile> ra;
  uint64_t size = 7;
  for (Status s : {env_->NewSequentialFile(f, &seq), env_->NewRandomAccessFile(f, &ra),
                   env_->GetFileSize(f, &size)}) {
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    EXPECT_EQ(s.subcode(), Status::SubCode::kPathNotFound);
    EXPECT_NE(s.message().find(f), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(seq, nullptr);
  EXPECT_EQ(ra, nullptr);
  EXPECT_EQ(size, 0u);
  std::string data = "stale";
  EXPECT_TRUE(ReadFileToString(env_, f, &data).IsIOError());
}

TEST_P(EnvTest, ChildrenListsDirectEntriesOnly) {
  ASSERT_OK(WriteStringToFile(env_, "", Path("a"), false));
  ASSERT_OK(WriteStringToFile(env_, "", Path("b"), false));
  ASSERT_OK(env_->CreateDir(Path("sub")));
  ASSERT_OK(env_->CreateDir(Path("sub")));  // exists already: OK
  ASSERT_OK(WriteStringToFile(env_, "", Path("sub/c"), false));
  std::vector<std::string> children;
  ASSERT_OK(env_->GetChildren(dir_, &children));
  std::sort(children.begin(), children.end());
  EXPECT_EQ(children, (std::vector<std::string>{"a", "b", "sub"}));
  ASSERT_OK(env_->GetChildren(dir_ + "/sub/", &children));
  EXPECT_EQ(children, std::vector<std::string>{"c"});

  Status s = env_->GetChildren(Path("nodir"), &children);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_TRUE(children.empty());
}

TEST_P(EnvTest, RemoveDirOnlyWhenEmpty) {
  ASSERT_OK(env_->CreateDir(Path("d")));
  ASSERT_OK(WriteStringToFile(env_, "", Path("d/f"), false));
  Status s = env_->RemoveDir(Path("d"));
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.err(), ENOTEMPTY);
  ASSERT_OK(env_->RemoveFile(Path("d/f")));
  ASSERT_OK(env_->RemoveDir(Path("d")));
  EXPECT_FALSE(env_->FileExists(Path("d")));
  EXPECT_TRUE(env_->RemoveDir(Path("d")).IsIOError());
  ASSERT_OK(env_->SyncDir(dir_));
}

TEST_P(EnvTest, OpenFileOutlivesRemove) {
  const std::string f = Path("f");
  ASSERT_OK(WriteStringToFile(env_, "still here", f, false));
  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_OK(env_->NewRandomAccessFile(f, &ra));
  ASSERT_OK(env_->RemoveFile(f));
  char scratch[16];
  std::string_view got;
  ASSERT_OK(ra->Read(0, sizeof(scratch), &got, scratch));
  EXPECT_EQ(got, "still here");
}

TEST_P(EnvTest, WriteStringToFileRoundTripsLargeData) {
  test::Random rnd(301);
  std::string data = test::RandomBytes(&rnd, 300000);
  ASSERT_OK(WriteStringToFile(env_, data, Path("big"), true));
  EXPECT_EQ(Contents(Path("big")), data);
}

TEST_P(EnvTest, LockTwiceInSameProcessIsLocked) {
  const std::string f = Path("LOCK");
  std::unique_ptr<FileLock> lock, second;
  ASSERT_OK(env_->LockFile(f, &lock));
  ASSERT_NE(lock, nullptr);
  EXPECT_TRUE(env_->FileExists(f));
  Status s = env_->LockFile(f, &second);
  EXPECT_TRUE(s.IsLocked()) << s.ToString();
  EXPECT_NE(s.message().find(f), std::string::npos) << s.ToString();
  if (GetParam() == EnvKind::kPosix) {
    // Caught by the in-process table, before flock is consulted.
    EXPECT_NE(s.message().find("this process"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(second, nullptr);

  ASSERT_OK(env_->UnlockFile(std::move(lock)));
  ASSERT_OK(env_->LockFile(f, &second));
  ASSERT_OK(env_->UnlockFile(std::move(second)));
}

TEST_P(EnvTest, UnlockRejectsForeignLocks) {
  EXPECT_TRUE(env_->UnlockFile(nullptr).IsInvalidArgument());
  class OtherLock : public FileLock {};
  EXPECT_TRUE(env_->UnlockFile(std::make_unique<OtherLock>()).IsInvalidArgument());
}

TEST_P(EnvTest, ConcurrentLockersGetExactlyOneLock) {
  const std::string f = Path("LOCK");
  for (int round = 0; round < 20; round++) {
    constexpr int kThreads = 4;
    std::atomic<int> won{0}, locked{0};
    std::vector<std::unique_ptr<FileLock>> locks(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&, t] {
        Status s = env_->LockFile(f, &locks[t]);
        if (s.ok()) won++;
        if (s.IsLocked()) locked++;
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(won.load(), 1);
    ASSERT_EQ(locked.load(), kThreads - 1);
    for (auto& l : locks) {
      if (l) ASSERT_OK(env_->UnlockFile(std::move(l)));
    }
  }
}

TEST_P(EnvTest, ConcurrentWritersReadersAndListings) {
  constexpr int kThreads = 4;
  constexpr int kAppends = 500;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; t++) {
    writers.emplace_back([&, t] {
      std::unique_ptr<WritableFile> w;
      Status s = env_->NewWritableFile(Path("f" + std::to_string(t)), &w);
      for (int i = 0; s.ok() && i < kAppends; i++) s = w->Append(std::string(1, char('a' + t)));
      if (s.ok()) s = w->Close();
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  }
  // Reads of a file being appended to, and directory listings, meanwhile.
  std::thread reader([&] {
    std::vector<std::string> children;
    char scratch[64];
    while (!stop.load()) {
      EXPECT_OK(env_->GetChildren(dir_, &children));
      std::unique_ptr<RandomAccessFile> ra;
      if (env_->NewRandomAccessFile(Path("f0"), &ra).ok()) {
        std::string_view got;
        EXPECT_OK(ra->Read(0, sizeof(scratch), &got, scratch));
        EXPECT_EQ(got.find_first_not_of('a'), std::string_view::npos);
      }
    }
  });
  for (auto& th : writers) th.join();
  stop = true;
  reader.join();
  for (int t = 0; t < kThreads; t++) {
    EXPECT_EQ(Contents(Path("f" + std::to_string(t))), std::string(kAppends, char('a' + t)));
  }
}

TEST_P(EnvTest, Clocks) {
  using namespace std::chrono;
  int64_t sys = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  EXPECT_LT(std::abs(env_->NowMicros() - sys), 60 * 1000000);
  uint64_t a = env_->NowNanos();
  std::this_thread::sleep_for(milliseconds(2));
  uint64_t b = env_->NowNanos();
  EXPECT_GE(b - a, 1000000u);
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest, testing::Values(EnvKind::kPosix, EnvKind::kMem),
                         EnvKindName);

TEST(MemEnvTest, EnvsAreSeparateFileSystems) {
  std::unique_ptr<Env> a = NewMemEnv(), b = NewMemEnv();
  ASSERT_OK(WriteStringToFile(a.get(), "x", "/f", false));
  EXPECT_TRUE(a->FileExists("/f"));
  EXPECT_FALSE(b->FileExists("/f"));
}

TEST(MemEnvTest, ReaderSeesLaterAppends) {
  std::unique_ptr<Env> env = NewMemEnv();
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env->NewWritableFile("f", &w));
  std::unique_ptr<RandomAccessFile> ra;
  ASSERT_OK(env->NewRandomAccessFile("f", &ra));
  ASSERT_OK(w->Append("later"));
  char scratch[8];
  std::string_view got;
  ASSERT_OK(ra->Read(0, sizeof(scratch), &got, scratch));
  EXPECT_EQ(got, "later");
}

// --- POSIX only ------------------------------------------------------------

TEST(PosixEnvTest, LockIsAnFlockSeenByOtherOpenFiles) {
  Env* env = Env::Default();
  std::string dir = test::TempDir("posix-flock");
  std::string f = dir + "/LOCK";
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(env->LockFile(f, &lock));
  // What another process sees: a new open file description cannot flock it.
  int fd = ::open(f.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(errno, EWOULDBLOCK);
  ASSERT_OK(env->UnlockFile(std::move(lock)));
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);

  // And the other way round: a foreign flock makes LockFile fail with Locked.
  Status s = env->LockFile(f, &lock);
  EXPECT_TRUE(s.IsLocked()) << s.ToString();
  EXPECT_NE(s.message().find("another process"), std::string::npos) << s.ToString();
  ::close(fd);
  ASSERT_OK(env->LockFile(f, &lock));
  ASSERT_OK(env->UnlockFile(std::move(lock)));
  std::filesystem::remove_all(dir);
}

TEST(PosixEnvTest, LockHeldAgainstAChildProcess) {
  Env* env = Env::Default();
  std::string dir = test::TempDir("posix-lock-child");
  std::string f = dir + "/LOCK";
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(env->LockFile(f, &lock));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child inherits the descriptor but flock the file through a new one.
    int fd = ::open(f.c_str(), O_RDWR);
    bool refused = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::_exit(refused ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
  ASSERT_OK(env->UnlockFile(std::move(lock)));
  std::filesystem::remove_all(dir);
}

TEST(PosixEnvTest, NoSpaceIsReportedWithSubcode) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(Env::Default()->NewAppendableFile("/dev/full", &w));
  Status s = w->Append("x");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_EQ(s.err(), ENOSPC);
  EXPECT_NE(s.message().find("/dev/full"), std::string::npos);
}

TEST(PosixEnvTest, CreateDirOverAFileFails) {
  std::string dir = test::TempDir("posix-mkdir");
  ASSERT_OK(WriteStringToFile(Env::Default(), "", dir + "/f", false));
  Status s = Env::Default()->CreateDir(dir + "/f");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.err(), EEXIST);
  std::filesystem::remove_all(dir);
}

// --- FaultInjectionEnv -------------------------------------------------------

// FaultInjectionEnv over each base Env.
class FaultEnvTest : public EnvTest {
 protected:
  void SetUp() override {
    EnvTest::SetUp();
    fault_ = std::make_unique<FaultInjectionEnv>(env_);
  }

  // Writes `synced` and Syncs, then appends `unsynced`.
  void WriteFile(const std::string& f, const std::string& synced, const std::string& unsynced) {
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fault_->NewWritableFile(f, &w));
    ASSERT_OK(w->Append(synced));
    ASSERT_OK(w->Sync());
    ASSERT_OK(w->Append(unsynced));
    ASSERT_OK(w->Close());
  }

  std::unique_ptr<FaultInjectionEnv> fault_;
};

TEST_P(FaultEnvTest, DropsDataAfterLastSync) {
  WriteFile(Path("f"), "durable", "-lost");
  ASSERT_OK(fault_->SyncDir(dir_));
  EXPECT_EQ(Contents(Path("f")), "durable-lost");
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "durable");
  // What survived counts as synced from now on.
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "durable");
}

TEST_P(FaultEnvTest, NeverSyncedFileBecomesEmpty) {
  WriteFile(Path("f"), "", "all lost");
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "");
}

TEST_P(FaultEnvTest, CreationWithoutSyncDirIsLost) {
  WriteFile(Path("f"), "synced data", "");
  ASSERT_OK(fault_->CreateDir(dir_ + "/other"));
  ASSERT_OK(fault_->SyncDir(dir_ + "/other"));  // another directory does not help
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_FALSE(env_->FileExists(Path("f")));
}

TEST_P(FaultEnvTest, SyncDirAcceptsTrailingSlash) {
  WriteFile(Path("f"), "synced data", "");
  ASSERT_OK(fault_->SyncDir(dir_ + "/"));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "synced data");
}

TEST_P(FaultEnvTest, AppendableFileKeepsExistingContents) {
  ASSERT_OK(WriteStringToFile(env_, "before", Path("f"), true));  // written past the fault env
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewAppendableFile(Path("f"), &w));
  ASSERT_OK(w->Append("+unsynced"));
  ASSERT_OK(w->Close());
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "before");
}

TEST_P(FaultEnvTest, RenameIsNotRevertedAndCarriesSyncState) {
  WriteFile(Path("tmp"), "synced", "+unsynced");
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(fault_->RenameFile(Path("tmp"), Path("CURRENT")));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_FALSE(env_->FileExists(Path("tmp")));
  EXPECT_EQ(Contents(Path("CURRENT")), "synced");
}

TEST_P(FaultEnvTest, RenamedCreationNeedsSyncDirOfItsNewName) {
  WriteFile(Path("a"), "x", "");
  ASSERT_OK(fault_->RenameFile(Path("a"), Path("b")));
  WriteFile(Path("c"), "y", "");
  ASSERT_OK(fault_->RenameFile(Path("c"), Path("d")));
  ASSERT_OK(fault_->SyncDir(dir_));
  WriteFile(Path("e"), "z", "");
  ASSERT_OK(fault_->RenameFile(Path("e"), Path("f")));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("b")), "x");
  EXPECT_EQ(Contents(Path("d")), "y");
  EXPECT_FALSE(env_->FileExists(Path("f")));
}

TEST_P(FaultEnvTest, RemovedFileStaysRemoved) {
  WriteFile(Path("f"), "x", "y");
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(fault_->RemoveFile(Path("f")));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_FALSE(env_->FileExists(Path("f")));
}

TEST_P(FaultEnvTest, FileRemovedPastTheFaultEnvIsForgotten) {
  WriteFile(Path("f"), "x", "y");
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(env_->RemoveFile(Path("f")));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_FALSE(env_->FileExists(Path("f")));
}

TEST_P(FaultEnvTest, TruncateLowersSyncedSize) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewWritableFile(Path("f"), &w));
  ASSERT_OK(w->Append("0123456789"));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Truncate(4));
  ASSERT_OK(w->Append("abcdef"));
  ASSERT_OK(w->Close());
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "0123");
}

TEST_P(FaultEnvTest, FailSync) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewWritableFile(Path("f"), &w));
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(w->Append("abc"));
  fault_->SetFailSync(true);
  Status s = w->Sync();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.err(), EIO);
  EXPECT_TRUE(fault_->SyncDir(dir_).IsIOError());
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "");  // the failed Sync made nothing durable
  fault_->SetFailSync(false);
  ASSERT_OK(w->Append("def"));
  ASSERT_OK(w->Sync());
  ASSERT_OK(fault_->DropUnsyncedData());
  EXPECT_EQ(Contents(Path("f")), "def");
}

TEST_P(FaultEnvTest, NoSpace) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewWritableFile(Path("f"), &w));
  ASSERT_OK(w->Append("abc"));
  fault_->SetNoSpace(true);
  Status s = w->Append("def");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_NE(s.message().find(Path("f")), std::string::npos);
  EXPECT_TRUE(WriteStringToFile(fault_.get(), "x", Path("g"), false).IsNoSpace());
  EXPECT_FALSE(env_->FileExists(Path("g")));
  EXPECT_EQ(Contents(Path("f")), "abc");  // the failed Append wrote nothing
  fault_->SetNoSpace(false);
  ASSERT_OK(w->Append("def"));
  EXPECT_EQ(Contents(Path("f")), "abcdef");
}

TEST_P(FaultEnvTest, FailWrites) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewWritableFile(Path("f"), &w));
  fault_->SetFailWrites(true);
  Status s = w->Append("abc");
  EXPECT_TRUE(s.IsIOError());
  EXPECT_FALSE(s.IsNoSpace());
  EXPECT_EQ(s.err(), EIO);
  fault_->SetFailWrites(false);
  ASSERT_OK(w->Append("abc"));
  EXPECT_EQ(Contents(Path("f")), "abc");
}

TEST_P(FaultEnvTest, FailAfterNWrites) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fault_->NewWritableFile(Path("f"), &w));
  fault_->FailAfterNWrites(2);
  ASSERT_OK(w->Append("a"));
  ASSERT_OK(w->Append("b"));
  EXPECT_TRUE(w->Append("c").IsIOError());
  EXPECT_TRUE(w->Append("d").IsIOError());
  ASSERT_OK(w->Sync());  // only writes fail
  fault_->FailAfterNWrites(-1);
  ASSERT_OK(w->Append("e"));
  EXPECT_EQ(Contents(Path("f")), "abe");
  fault_->FailAfterNWrites(0);
  EXPECT_TRUE(w->Append("f").IsIOError());
}

TEST_P(FaultEnvTest, ConcurrentWritersWithSwitchesFlipping) {
  constexpr int kThreads = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      std::unique_ptr<WritableFile> w;
      Status s = fault_->NewWritableFile(Path("f" + std::to_string(t)), &w);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return;
      for (int i = 0; i < 300; i++) {
        if (!w->Append("x").ok()) failures++;
        if (i % 50 == 0 && !w->Sync().ok()) failures++;
      }
    });
  }
  for (int i = 0; i < 200; i++) {
    fault_->SetNoSpace(i % 3 == 0);
    fault_->SetFailSync(i % 5 == 0);
    fault_->FailAfterNWrites(i % 7 == 0 ? 0 : -1);
    std::this_thread::yield();
  }
  for (auto& th : threads) th.join();
  fault_->SetNoSpace(false);
  fault_->SetFailSync(false);
  fault_->FailAfterNWrites(-1);
  ASSERT_OK(fault_->SyncDir(dir_));
  ASSERT_OK(fault_->DropUnsyncedData());
  for (int t = 0; t < kThreads; t++) {
    std::string data = Contents(Path("f" + std::to_string(t)));
    EXPECT_LE(data.size(), 300u);
    EXPECT_EQ(data.find_first_not_of('x'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Envs, FaultEnvTest, testing::Values(EnvKind::kPosix, EnvKind::kMem),
                         EnvKindName);

}  // namespace
}  // namespace flowdb
