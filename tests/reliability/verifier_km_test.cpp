// SPDX-License-Identifier: MIT
// The IRP verifier seen from the kernel-compatible layer: a completion routine that
// returns anything but STATUS_MORE_PROCESSING_REQUIRED for an IRP the driver allocated
// (the kernel would then finish the IRP for a thread that does not exist) stops the
// process with a report, and so does WskDeregister with a socket never closed (it would
// wait forever). Its own executable: the km headers replace the platform's.
#include <gtest/gtest.h>
#include <ntddk.h>
#include <wsk.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "wskport/verifier.hpp"

namespace {

NTSTATUS returns_success(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID /*context*/) {
  return STATUS_SUCCESS;
}

NTSTATUS returns_more_processing(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID context) {
  ++*static_cast<int*>(context);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

PIRP driver_allocated_irp_in_flight(PIO_COMPLETION_ROUTINE routine, PVOID context) {
  PIRP irp = IoAllocateIrp(1, FALSE);
  IoSetCompletionRoutine(irp, routine, context, TRUE, TRUE, TRUE);
  IoSetNextIrpStackLocation(irp);  // what IoCallDriver does
  irp->IoStatus.Status = STATUS_SUCCESS;
  irp->IoStatus.Information = 0;
  return irp;
}

TEST(VerifierKm, RoutineContractBreakIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(
      {
        PIRP irp = driver_allocated_irp_in_flight(returns_success, nullptr);
        IoCompleteRequest(irp, IO_NO_INCREMENT);
      },
      "other than STATUS_MORE_PROCESSING_REQUIRED for a driver-allocated IRP");
}

TEST(VerifierKm, RoutineKeepingTheContractIsNotReported) {
  wskport::verifier::enable();
  int calls = 0;
  PIRP irp = driver_allocated_irp_in_flight(returns_more_processing, &calls);
  IoCompleteRequest(irp, IO_NO_INCREMENT);
  EXPECT_EQ(calls, 1);
  IoFreeIrp(irp);
}

NTSTATUS signal_event(PDEVICE_OBJECT /*device*/, PIRP /*irp*/, PVOID context) {
  KeSetEvent(static_cast<PKEVENT>(context), IO_NO_INCREMENT, FALSE);
  return STATUS_MORE_PROCESSING_REQUIRED;
}

// Registers, opens a socket, and deregisters without closing it.
void deregister_with_a_socket_open() {
  static WSK_REGISTRATION registration;
  static const WSK_CLIENT_DISPATCH dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
  WSK_CLIENT_NPI client = {nullptr, &dispatch};
  if (!NT_SUCCESS(WskRegister(&client, &registration))) return;
  WSK_PROVIDER_NPI provider{};
  if (!NT_SUCCESS(WskCaptureProviderNPI(&registration, WSK_NO_WAIT, &provider))) return;
  KEVENT done;
  KeInitializeEvent(&done, NotificationEvent, FALSE);
  PIRP irp = IoAllocateIrp(1, FALSE);
  IoSetCompletionRoutine(irp, signal_event, &done, TRUE, TRUE, TRUE);
  (void)provider.Dispatch->WskSocket(provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                     WSK_FLAG_CONNECTION_SOCKET, nullptr, nullptr, nullptr, nullptr,
                                     nullptr, irp);
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10LL * 1000 * 1000 * 10;  // 10 s, relative
  (void)KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, &timeout);
  IoFreeIrp(irp);
  WskReleaseProviderNPI(&registration);
  WskDeregister(&registration);  // the socket is still open: reported after 10 s
}

// A registered client with one connection socket open, and its second close.
class ClosedSocket {
 public:
  ClosedSocket() {
    static const WSK_CLIENT_DISPATCH dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
    WSK_CLIENT_NPI client = {nullptr, &dispatch};
    ok_ = NT_SUCCESS(WskRegister(&client, &registration_)) &&
          NT_SUCCESS(WskCaptureProviderNPI(&registration_, WSK_NO_WAIT, &provider_));
    irp_ = IoAllocateIrp(1, FALSE);
    if (!ok_ || irp_ == nullptr) return;
    arm();
    (void)provider_.Dispatch->WskSocket(provider_.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_CONNECTION_SOCKET, nullptr, nullptr, nullptr,
                                        nullptr, nullptr, irp_);
    ok_ = wait() && NT_SUCCESS(irp_->IoStatus.Status);
    if (ok_) socket_ = reinterpret_cast<PWSK_SOCKET>(irp_->IoStatus.Information);
  }
  ~ClosedSocket() {
    if (irp_ != nullptr) IoFreeIrp(irp_);
    WskReleaseProviderNPI(&registration_);
    WskDeregister(&registration_);
  }
  ClosedSocket(const ClosedSocket&) = delete;
  ClosedSocket& operator=(const ClosedSocket&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] PWSK_SOCKET socket() const { return socket_; }
  [[nodiscard]] PIRP irp() const { return irp_; }
  [[nodiscard]] const WSK_PROVIDER_CONNECTION_DISPATCH* dispatch() const {
    return static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(socket_->Dispatch);
  }
  /// WskCloseSocket through the socket's own dispatch table, as a driver calls it.
  NTSTATUS close() {
    arm();
    return dispatch()->Basic.WskCloseSocket(socket_, irp_);
  }
  void arm() {
    KeInitializeEvent(&done_, NotificationEvent, FALSE);
    IoReuseIrp(irp_, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(irp_, signal_event, &done_, TRUE, TRUE, TRUE);
  }
  bool wait(long long ms = 10'000) {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10LL * 1000 * ms;  // relative, in 100 ns units
    return KeWaitForSingleObject(&done_, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS;
  }

 private:
  WSK_REGISTRATION registration_{};
  WSK_PROVIDER_NPI provider_{};
  KEVENT done_{};
  PIRP irp_ = nullptr;
  PWSK_SOCKET socket_ = nullptr;
  bool ok_ = false;
};

// The first close, completed; the socket's memory is then the library's tombstone.
bool close_once(ClosedSocket& c) {
  (void)c.close();
  return c.wait() && c.irp()->IoStatus.Status == STATUS_SUCCESS;
}

// A second WskCloseSocket once read the freed socket (heap-use-after-free in
// socket_from under ASan) and the verifier said nothing. Now it names the socket, the
// call and where the first close came from, and stops.
TEST(VerifierKm, SecondCloseSocketIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(
      {
        ClosedSocket c;
        if (c.ok() && close_once(c)) (void)c.close();
      },
      "WSK socket .* used after close \\(closed by the WskCloseSocket called "
      "from");
}

// Any call through the stale pointer is reported the same way, naming that call.
TEST(VerifierKm, CallOnClosedSocketIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(
      {
        ClosedSocket c;
        if (c.ok() && close_once(c)) {
          SOCKADDR_IN local{};
          (void)c.dispatch()->WskGetLocalAddress(c.socket(), reinterpret_cast<PSOCKADDR>(&local),
                                                 c.irp());
        }
      },
      "WSK socket .* used after close");
}

// The report's details, read through a handler (every platform's regex sees them).
std::string& km_report() {
  static std::string text;
  return text;
}

TEST(VerifierKm, ClosedSocketReportNamesSocketCallAndCloser) {
  wskport::verifier::enable();
  ClosedSocket c;
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(close_once(c));
  wskport::verifier::set_report_handler([](std::string_view r) { km_report().assign(r); });
  const NTSTATUS st = c.close();
  wskport::verifier::set_report_handler(nullptr);
  EXPECT_EQ(st, STATUS_INVALID_PARAMETER);
  const std::string& text = km_report();
  char socket[48];
  std::snprintf(socket, sizeof socket, "socket: 0x%llx\n",
                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(c.socket())));
  EXPECT_NE(text.find(socket), std::string::npos) << text;
  EXPECT_NE(text.find("operation: WskCloseSocket"), std::string::npos) << text;
  EXPECT_NE(text.find("closed by the WskCloseSocket called from 0x"), std::string::npos) << text;
}

// With the verifier off the misuse is refused with STATUS_INVALID_PARAMETER, nothing
// completes, and nothing reads freed memory (the ASan preset runs this).
TEST(VerifierKm, SecondCloseWithoutTheVerifierIsRefused) {
  wskport::verifier::disable();
  {
    ClosedSocket c;
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(close_once(c));
    EXPECT_EQ(c.close(), STATUS_INVALID_PARAMETER);
    EXPECT_FALSE(c.wait(200)) << "a refused close completed its IRP";
  }
  wskport::verifier::enable();
}

TEST(VerifierKm, DeregisterWithASocketOpenIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  wskport::verifier::enable();
  EXPECT_DEATH(deregister_with_a_socket_open(),
               "WskDeregister after 10 s: 1 socket\\(s\\) not closed");
}

}  // namespace
