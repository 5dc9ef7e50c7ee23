// SPDX-License-Identifier: MIT
// Support of the kernel-style C++ test driver (km_driver_cpp.cpp, km_cpp_wsk.cpp):
// RAII owners for IRPs, MDLs, pool and sockets written as a C++ kernel driver writes
// them (no STL, no exceptions, no C++ library header), the checks, and the driver's
// books. Dispatch tables are reached through their named `Basic.` members.
#pragma once

#include <ntddk.h>
#include <ntstrsafe.h>
#include <wsk.h>

#include "km_test_cases.h"

namespace kmcpp {

constexpr ULONG kTag = 'pCkW';
constexpr ULONG kWaitMs = 5000;
constexpr ULONG kQuietMs = 100;

struct Books {
  volatile LONG irps, irps_freed, mdls, mdls_freed, pool, pool_freed, sockets, sockets_closed;
};
inline Books g_books;

struct Driver {
  WSK_CLIENT_DISPATCH client_dispatch;
  WSK_CLIENT_NPI client_npi;
  WSK_REGISTRATION registration;
  WSK_PROVIDER_NPI provider;
  bool registered;
  bool captured;
  bool ipv6;
};
inline Driver g_driver;
// A copy of NPI_WSK_INTERFACE_ID: WDK's PNPIID points to const, the km wsk.h's does not
// yet, and a copy's address fits both.
inline NPIID g_wsk_interface_id = NPI_WSK_INTERFACE_ID;

inline NTSTATUS WaitFor(PVOID object, ULONG ms) {
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10000LL * static_cast<LONGLONG>(ms);
  return KeWaitForSingleObject(object, Executive, KernelMode, FALSE, &timeout);
}

// The case's verdict: the first failed check wins.
class Test {
 public:
  Test(char* msg, unsigned int cap) : msg_(msg), cap_(cap) {
    if (cap_ > 0) msg_[0] = '\0';
  }
  bool Fail(int line, const char* what) {
    if (result_ != KM_TEST_FAILED) {
      result_ = KM_TEST_FAILED;
      RtlStringCbPrintfA(msg_, cap_, "line %d: check failed: %s", line, what);
    }
    DbgPrint("kmtest(C++): line %d: %s\n", line, what);
    return false;
  }
  bool FailEq(int line, const char* what, LONGLONG actual, LONGLONG expected) {
    if (result_ != KM_TEST_FAILED) {
      result_ = KM_TEST_FAILED;
      RtlStringCbPrintfA(msg_, cap_, "line %d: %s is %lld (0x%llx), expected %lld (0x%llx)", line,
                         what, actual, actual, expected, expected);
    }
    return false;
  }
  bool FailStatus(int line, const char* what, NTSTATUS actual, NTSTATUS expected) {
    if (result_ != KM_TEST_FAILED) {
      result_ = KM_TEST_FAILED;
      RtlStringCbPrintfA(msg_, cap_, "line %d: %s is 0x%08X, expected 0x%08X", line, what,
                         static_cast<ULONG>(actual), static_cast<ULONG>(expected));
    }
    return false;
  }
  bool Skip(const char* why) {
    if (result_ == KM_TEST_PASSED) {
      result_ = KM_TEST_SKIPPED;
      RtlStringCbPrintfA(msg_, cap_, "skipped: %s", why);
    }
    return true;
  }
  int result() const { return result_; }

 private:
  char* msg_;
  unsigned int cap_;
  int result_ = KM_TEST_PASSED;
};

#define KC_CHECK(t, cond)                          \
  do {                                             \
    if (!(cond)) return (t).Fail(__LINE__, #cond); \
  } while (0)
#define KC_EQ(t, actual, expected)                                          \
  do {                                                                      \
    const LONGLONG kc_a_ = static_cast<LONGLONG>(actual);                   \
    const LONGLONG kc_e_ = static_cast<LONGLONG>(expected);                 \
    if (kc_a_ != kc_e_) return (t).FailEq(__LINE__, #actual, kc_a_, kc_e_); \
  } while (0)
#define KC_STATUS(t, actual, expected)                                          \
  do {                                                                          \
    const NTSTATUS kc_a_ = (actual);                                            \
    const NTSTATUS kc_e_ = (expected);                                          \
    if (kc_a_ != kc_e_) return (t).FailStatus(__LINE__, #actual, kc_a_, kc_e_); \
  } while (0)
#define KC_OK(expr)            \
  do {                         \
    if (!(expr)) return false; \
  } while (0)

// Zeroed non-paged pool for one T (a plain struct with an Init()), freed on scope exit.
template <class T>
class Pool {
 public:
  Pool() : p_(static_cast<T*>(ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(T), kTag))) {
    if (p_ != nullptr) InterlockedIncrement(&g_books.pool);
  }
  ~Pool() {
    if (p_ != nullptr) {
      InterlockedIncrement(&g_books.pool_freed);
      ExFreePoolWithTag(p_, kTag);
    }
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  T* operator->() const { return p_; }
  T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_;
};

// A buffer in non-paged pool described by one MDL.
class Buffer {
 public:
  explicit Buffer(ULONG size) : size_(size) {
    va_ = static_cast<PUCHAR>(ExAllocatePoolWithTag(NonPagedPoolNx, size, kTag));
    if (va_ == nullptr) return;
    InterlockedIncrement(&g_books.pool);
    mdl_ = IoAllocateMdl(va_, size, FALSE, FALSE, nullptr);
    if (mdl_ == nullptr) return;
    InterlockedIncrement(&g_books.mdls);
    MmBuildMdlForNonPagedPool(mdl_);
  }
  ~Buffer() {
    if (mdl_ != nullptr) {
      InterlockedIncrement(&g_books.mdls_freed);
      IoFreeMdl(mdl_);
    }
    if (va_ != nullptr) {
      InterlockedIncrement(&g_books.pool_freed);
      ExFreePool(va_);
    }
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  explicit operator bool() const { return mdl_ != nullptr; }
  PUCHAR va() const { return va_; }
  PMDL mdl() const { return mdl_; }
  WSK_BUF Wsk(ULONG length, ULONG offset = 0) const {
    WSK_BUF b;
    b.Mdl = length == 0 ? nullptr : mdl_;
    b.Offset = offset;
    b.Length = length;
    return b;
  }
  // Never past the buffer: a case that asks for more writes and compares only what fits
  // (and Holds then fails).
  void Put(const char* text, ULONG length) const {
    RtlCopyMemory(va_, text, length < size_ ? length : size_);
  }
  bool Holds(const char* text, ULONG length) const {
    return length <= size_ && RtlCompareMemory(va_, text, length) == length;
  }

 private:
  ULONG size_;
  PUCHAR va_ = nullptr;
  PMDL mdl_ = nullptr;
};

// An IRP from IoAllocateIrp with its completion event; freed when every call made on
// it has completed (a pending IRP is never freed: it would be leaked and reported).
class Irp {
 public:
  Irp() : irp_(IoAllocateIrp(1, FALSE)) {
    if (irp_ != nullptr) InterlockedIncrement(&g_books.irps);
    KeInitializeEvent(&done_, NotificationEvent, FALSE);
  }
  ~Irp() {
    if (irp_ == nullptr) return;
    if (completions_ != expected_) (void)WaitFor(&done_, kWaitMs);
    if (completions_ == expected_) {
      IoFreeIrp(irp_);
      InterlockedIncrement(&g_books.irps_freed);
    }
  }
  Irp(const Irp&) = delete;
  Irp& operator=(const Irp&) = delete;
  explicit operator bool() const { return irp_ != nullptr; }

  // IoReuseIrp + a completion routine for success, error and cancel, as WSK requires.
  PIRP Arm() {
    IoReuseIrp(irp_, STATUS_UNSUCCESSFUL);
    KeClearEvent(&done_);
    ++expected_;
    IoSetCompletionRoutine(
        irp_,
        [](PDEVICE_OBJECT, PIRP, PVOID context) -> NTSTATUS {
          auto* self = static_cast<Irp*>(context);
          InterlockedIncrement(&self->completions_);
          KeSetEvent(&self->done_, IO_NO_INCREMENT, FALSE);
          return STATUS_MORE_PROCESSING_REQUIRED;  // the IRP stays ours
        },
        this, TRUE, TRUE, TRUE);
    irp_->IoStatus.Status = static_cast<NTSTATUS>(0xDEADBEEF);
    irp_->IoStatus.Information = 0xDEADBEEF;
    return irp_;
  }
  bool CompletedWithin(ULONG ms) { return WaitFor(&done_, ms) == STATUS_SUCCESS; }
  // Bounded wait, exactly one completion, and the return rule of accepted calls.
  bool Done(Test& t, int line, NTSTATUS returned) {
    if (!CompletedWithin(kWaitMs)) return t.Fail(line, "IRP not completed in time");
    if (completions_ != expected_) return t.FailEq(line, "completions", completions_, expected_);
    if (returned != STATUS_PENDING && (returned != status() || NT_SUCCESS(returned)))
      return t.FailStatus(line, "returned (want STATUS_PENDING or the IRP's error)", returned,
                          STATUS_PENDING);
    return true;
  }
  // An argument error: refused up front with the IRP untouched, or completed once with
  // `expected` and Information 0 (the contract: an accepted IRP completes).
  bool Rejected(Test& t, int line, NTSTATUS returned, NTSTATUS expected) {
    if (returned == expected && !CompletedWithin(kQuietMs)) return Refused(t, line, returned);
    if (!Done(t, line, returned)) return false;
    if (status() != expected) return t.FailStatus(line, "rejected call", status(), expected);
    if (info() != 0) return t.FailEq(line, "rejected call Information", info(), 0);
    return true;
  }
  // A call that must be refused synchronously with the IRP untouched.
  bool Refused(Test& t, int line, NTSTATUS returned) {
    --expected_;
    if (returned != STATUS_INVALID_PARAMETER && returned != STATUS_INVALID_HANDLE)
      return t.FailStatus(line, "refused call", returned, STATUS_INVALID_PARAMETER);
    if (CompletedWithin(kQuietMs) || status() != static_cast<NTSTATUS>(0xDEADBEEF))
      return t.Fail(line, "a refused call completed or wrote its IRP");
    return true;
  }
  PIRP get() const { return irp_; }
  NTSTATUS status() const { return irp_->IoStatus.Status; }
  ULONG_PTR info() const { return irp_->IoStatus.Information; }

 private:
  PIRP irp_;
  KEVENT done_;
  volatile LONG completions_ = 0;
  LONG expected_ = 0;
};

#define KC_DONE(t, irp, call) KC_OK((irp).Done((t), __LINE__, (call)))
#define KC_SUCCESS(t, irp, call)                  \
  do {                                            \
    KC_DONE(t, irp, call);                        \
    KC_STATUS(t, (irp).status(), STATUS_SUCCESS); \
  } while (0)

union Addr {
  SOCKADDR sa;
  SOCKADDR_IN v4;
  SOCKADDR_IN6 v6;

  static Addr Loopback(ADDRESS_FAMILY family, USHORT port = 0) {
    Addr a{};
    RtlZeroMemory(&a, sizeof(a));
    if (family == AF_INET6) {
      a.v6.sin6_family = AF_INET6;
      a.v6.sin6_port = RtlUshortByteSwap(port);
      a.v6.sin6_addr.s6_addr[15] = 1;
    } else {
      a.v4.sin_family = AF_INET;
      a.v4.sin_port = RtlUshortByteSwap(port);
      a.v4.sin_addr.s_addr = RtlUlongByteSwap(0x7F000001u);
    }
    return a;
  }
  static Addr Any(ADDRESS_FAMILY family) {
    Addr a{};
    RtlZeroMemory(&a, sizeof(a));
    a.sa.sa_family = family;
    return a;
  }
  USHORT Port() const {
    return RtlUshortByteSwap(sa.sa_family == AF_INET6 ? v6.sin6_port : v4.sin_port);
  }
};

// A WSK socket, closed (bounded wait) when it goes out of scope.
class Socket {
 public:
  Socket() = default;
  ~Socket() { (void)Close(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void Adopt(PWSK_SOCKET s, ULONG category) {
    s_ = s;
    category_ = category;
    if (s_ != nullptr) InterlockedIncrement(&g_books.sockets);
  }
  bool Close() {
    if (s_ == nullptr) return true;
    Irp irp;
    if (!irp) return false;
    const NTSTATUS st = Basic().WskCloseSocket(s_, irp.Arm());
    const bool ok = (st == STATUS_PENDING || st == STATUS_SUCCESS) &&
                    irp.CompletedWithin(kWaitMs) && irp.status() == STATUS_SUCCESS &&
                    irp.info() == 0;
    InterlockedIncrement(&g_books.sockets_closed);
    s_ = nullptr;
    return ok;
  }
  PWSK_SOCKET get() const { return s_; }
  const WSK_PROVIDER_BASIC_DISPATCH& Basic() const {
    return *static_cast<const WSK_PROVIDER_BASIC_DISPATCH*>(s_->Dispatch);
  }
  const WSK_PROVIDER_CONNECTION_DISPATCH& Conn() const {
    return *static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(s_->Dispatch);
  }
  const WSK_PROVIDER_LISTEN_DISPATCH& Listen() const {
    return *static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(s_->Dispatch);
  }
  const WSK_PROVIDER_DATAGRAM_DISPATCH& Dgram() const {
    return *static_cast<const WSK_PROVIDER_DATAGRAM_DISPATCH*>(s_->Dispatch);
  }
  const WSK_PROVIDER_STREAM_DISPATCH& Stream() const {
    return *static_cast<const WSK_PROVIDER_STREAM_DISPATCH*>(s_->Dispatch);
  }
  NTSTATUS Bind(PSOCKADDR a, PIRP irp) const {
    switch (category_) {
      case WSK_FLAG_LISTEN_SOCKET:
        return Listen().WskBind(s_, a, 0, irp);
      case WSK_FLAG_DATAGRAM_SOCKET:
        return Dgram().WskBind(s_, a, 0, irp);
      case WSK_FLAG_STREAM_SOCKET:
        return Stream().WskBind(s_, a, 0, irp);
      default:
        return Conn().WskBind(s_, a, 0, irp);
    }
  }
  NTSTATUS LocalAddress(PSOCKADDR a, PIRP irp) const {
    switch (category_) {
      case WSK_FLAG_LISTEN_SOCKET:
        return Listen().WskGetLocalAddress(s_, a, irp);
      case WSK_FLAG_DATAGRAM_SOCKET:
        return Dgram().WskGetLocalAddress(s_, a, irp);
      case WSK_FLAG_STREAM_SOCKET:
        return Stream().WskGetLocalAddress(s_, a, irp);
      default:
        return Conn().WskGetLocalAddress(s_, a, irp);
    }
  }
  // SO_WSK_EVENT_CALLBACK without an IRP.
  NTSTATUS Events(ULONG mask) const {
    WSK_EVENT_CALLBACK_CONTROL control{&g_wsk_interface_id, mask};
    return Basic().WskControlSocket(s_, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                    sizeof(control), &control, 0, nullptr, nullptr, nullptr);
  }

 private:
  PWSK_SOCKET s_ = nullptr;
  ULONG category_ = WSK_FLAG_BASIC_SOCKET;
};

inline bool Open(Test& t, int line, Irp& irp, Socket& out, ADDRESS_FAMILY family, ULONG category,
                 PVOID context = nullptr, const VOID* dispatch = nullptr,
                 const WSK_PROVIDER_NPI& npi = g_driver.provider) {
  const bool dgram = category == WSK_FLAG_DATAGRAM_SOCKET;
  const NTSTATUS st = npi.Dispatch->WskSocket(npi.Client, family,
                                              static_cast<USHORT>(dgram ? SOCK_DGRAM : SOCK_STREAM),
                                              dgram ? IPPROTO_UDP : IPPROTO_TCP, category, context,
                                              dispatch, nullptr, nullptr, nullptr, irp.Arm());
  if (!irp.Done(t, line, st)) return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskSocket", irp.status(), 0);
  if (irp.info() == 0) return t.Fail(line, "WskSocket gave no socket");
  out.Adopt(reinterpret_cast<PWSK_SOCKET>(irp.info()), category);
  return true;
}

inline bool Bind(Test& t, int line, Irp& irp, const Socket& s, Addr a) {
  if (!irp.Done(t, line, s.Bind(&a.sa, irp.Arm()))) return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskBind", irp.status(), 0);
  if (irp.info() != 0) return t.FailEq(line, "WskBind Information", irp.info(), 0);
  return true;
}

inline bool Local(Test& t, int line, Irp& irp, const Socket& s, Addr& out) {
  if (!irp.Done(t, line, s.LocalAddress(&out.sa, irp.Arm()))) return false;
  if (irp.status() != STATUS_SUCCESS)
    return t.FailStatus(line, "WskGetLocalAddress", irp.status(), 0);
  return true;
}

inline bool Send(Test& t, int line, Irp& irp, const Socket& s, const Buffer& b, ULONG length,
                 ULONG flags = 0) {
  WSK_BUF wb = b.Wsk(length);
  if (!irp.Done(t, line, s.Conn().WskSend(s.get(), &wb, flags, irp.Arm()))) return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskSend", irp.status(), 0);
  if (irp.info() != length) return t.FailEq(line, "WskSend Information", irp.info(), length);
  return true;
}

inline bool ReceiveAll(Test& t, int line, Irp& irp, const Socket& s, const Buffer& b,
                       const char* expected, ULONG length) {
  WSK_BUF wb = b.Wsk(length);
  RtlZeroMemory(b.va(), length);
  if (!irp.Done(t, line, s.Conn().WskReceive(s.get(), &wb, WSK_FLAG_WAITALL, irp.Arm())))
    return false;
  if (irp.status() != STATUS_SUCCESS) return t.FailStatus(line, "WskReceive", irp.status(), 0);
  if (irp.info() != length) return t.FailEq(line, "WskReceive Information", irp.info(), length);
  if (expected != nullptr && !b.Holds(expected, length))
    return t.Fail(line, "received bytes differ");
  return true;
}

#define KC_OPEN(t, irp, s, ...) KC_OK(Open((t), __LINE__, (irp), (s), __VA_ARGS__))
#define KC_BIND(t, irp, s, a) KC_OK(Bind((t), __LINE__, (irp), (s), (a)))
#define KC_LOCAL(t, irp, s, a) KC_OK(Local((t), __LINE__, (irp), (s), (a)))
#define KC_SEND(t, irp, s, b, ...) KC_OK(Send((t), __LINE__, (irp), (s), (b), __VA_ARGS__))
#define KC_RECV_ALL(t, irp, s, b, text, len) \
  KC_OK(ReceiveAll((t), __LINE__, (irp), (s), (b), (text), (len)))

// Copies a WSK_BUF's bytes (across its MDL chain, from its Offset) into dest.
inline ULONG CopyOut(const WSK_BUF& b, PUCHAR dest, ULONG cap) {
  ULONG done = 0;
  ULONG offset = b.Offset;
  SIZE_T left = b.Length;
  for (PMDL m = b.Mdl; m != nullptr && left > 0 && done < cap; m = m->Next, offset = 0) {
    auto* va = static_cast<PUCHAR>(MmGetSystemAddressForMdlSafe(m, NormalPagePriority));
    if (va == nullptr) break;
    ULONG take = MmGetMdlByteCount(m) - offset;
    if (take > left) take = static_cast<ULONG>(left);
    if (take > cap - done) take = cap - done;
    RtlCopyMemory(dest + done, va + offset, take);
    done += take;
    left -= take;
  }
  return done;
}

// A connection socket's event context: receive (consume / retain / refuse), disconnect,
// send backlog. Lives in pool; Init() before use. Callbacks never wait.
struct ConnEvents {
  KSPIN_LOCK lock;
  KEVENT received;
  KEVENT disconnected;
  KEVENT backlog;
  volatile LONG receive_calls;
  volatile LONG disconnect_calls;
  volatile LONG backlog_calls;
  ULONG disconnect_flags;
  SIZE_T ideal_backlog;
  NTSTATUS verdict;  // for the next indication, then STATUS_SUCCESS again
  PWSK_DATA_INDICATION retained;
  ULONG length;
  UCHAR data[4096];

  void Init() {
    KeInitializeSpinLock(&lock);
    KeInitializeEvent(&received, SynchronizationEvent, FALSE);
    KeInitializeEvent(&disconnected, NotificationEvent, FALSE);
    KeInitializeEvent(&backlog, NotificationEvent, FALSE);
    verdict = STATUS_SUCCESS;
  }
  // The verdict for the next indication and the bytes consumed, under the lock the
  // callbacks take (they run on provider threads).
  void SetVerdict(NTSTATUS v) {
    KIRQL irql;
    KeAcquireSpinLock(&lock, &irql);
    verdict = v;
    KeReleaseSpinLock(&lock, irql);
  }
  ULONG Length() {
    KIRQL irql;
    KeAcquireSpinLock(&lock, &irql);
    const ULONG n = length;
    KeReleaseSpinLock(&lock, irql);
    return n;
  }
  static LONG Read(volatile LONG& x) { return InterlockedCompareExchange(&x, 0, 0); }
  bool WaitData(ULONG n) {
    for (ULONG waited = 0; Length() < n; waited += 50) {
      if (waited >= kWaitMs) return false;
      (void)WaitFor(&received, 50);
    }
    return true;
  }
  static NTSTATUS WSKAPI OnReceive(PVOID context, ULONG, PWSK_DATA_INDICATION indication,
                                   SIZE_T indicated, SIZE_T* accepted) {
    auto* self = static_cast<ConnEvents*>(context);
    NTSTATUS verdict = STATUS_SUCCESS;
    if (indication != nullptr) {
      KIRQL irql;
      KeAcquireSpinLock(&self->lock, &irql);
      verdict = self->verdict;
      self->verdict = STATUS_SUCCESS;
      if (verdict == STATUS_PENDING) {
        self->retained = indication;
      } else if (verdict == STATUS_SUCCESS) {
        for (auto* d = indication; d != nullptr; d = d->Next)
          self->length +=
              CopyOut(d->Buffer, self->data + self->length, sizeof(self->data) - self->length);
        *accepted = indicated;
      }
      KeReleaseSpinLock(&self->lock, irql);
    }
    InterlockedIncrement(&self->receive_calls);
    KeSetEvent(&self->received, IO_NO_INCREMENT, FALSE);
    return verdict;
  }
  static NTSTATUS WSKAPI OnDisconnect(PVOID context, ULONG flags) {
    auto* self = static_cast<ConnEvents*>(context);
    self->disconnect_flags = flags;
    InterlockedIncrement(&self->disconnect_calls);
    KeSetEvent(&self->disconnected, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
  }
  static NTSTATUS WSKAPI OnBacklog(PVOID context, SIZE_T ideal) {
    auto* self = static_cast<ConnEvents*>(context);
    self->ideal_backlog = ideal;
    InterlockedIncrement(&self->backlog_calls);
    KeSetEvent(&self->backlog, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
  }
  static inline const WSK_CLIENT_CONNECTION_DISPATCH kDispatch{&OnReceive, &OnDisconnect,
                                                               &OnBacklog};
};

// A listening socket's WskAcceptEvent context.
struct ListenEvents {
  KEVENT accepted;
  volatile LONG calls;
  PWSK_SOCKET socket;
  Addr local;
  Addr remote;
  NTSTATUS verdict;
  PVOID accept_context;
  const WSK_CLIENT_CONNECTION_DISPATCH* accept_dispatch;

  void Init(NTSTATUS v, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH* dispatch) {
    KeInitializeEvent(&accepted, SynchronizationEvent, FALSE);
    verdict = v;
    accept_context = ctx;
    accept_dispatch = dispatch;
  }
  static NTSTATUS WSKAPI OnAccept(PVOID context, ULONG, PSOCKADDR local, PSOCKADDR remote,
                                  PWSK_SOCKET socket, PVOID* socket_context,
                                  const WSK_CLIENT_CONNECTION_DISPATCH** dispatch) {
    auto* self = static_cast<ListenEvents*>(context);
    if (socket != nullptr) {
      const auto size = [](PSOCKADDR a) {
        return a->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN);
      };
      if (local != nullptr) RtlCopyMemory(&self->local, local, size(local));
      if (remote != nullptr) RtlCopyMemory(&self->remote, remote, size(remote));
      if (self->verdict == STATUS_SUCCESS) {
        self->socket = socket;
        *socket_context = self->accept_context;
        *dispatch = self->accept_dispatch;
      }
      InterlockedIncrement(&self->calls);
    }
    KeSetEvent(&self->accepted, IO_NO_INCREMENT, FALSE);
    return self->verdict;
  }
  static inline const WSK_CLIENT_LISTEN_DISPATCH kDispatch{&OnAccept, nullptr, nullptr};
};

// The cases (km_driver_cpp.cpp: runtime; km_cpp_wsk.cpp: WSK).
bool RuntimeSync(Test& t);
bool RuntimeText(Test& t);
bool RuntimeIrpMdl(Test& t);
bool Registration(Test& t);
bool EchoIpv4(Test& t);
bool EchoIpv6(Test& t);
bool ConnectionStates(Test& t);
bool TransferFlags(Test& t);
bool ReceiveEventModes(Test& t);
bool Options(Test& t);
bool DatagramIpv4(Test& t);
bool DatagramIpv6(Test& t);
bool Categories(Test& t);
bool Names(Test& t);

}  // namespace kmcpp
