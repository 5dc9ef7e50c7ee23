// SPDX-License-Identifier: MIT
// Registration: WskRegister, WskCaptureProviderNPI, WskReleaseProviderNPI,
// WskQueryProviderCharacteristics, WskDeregister, and the provider dispatch table.
#include <chrono>
#include <cstdio>
#include <new>

#include "common/core/verifier.hpp"
#include "common/km/km_image.hpp"
#include "common/km/wsk_internal.hpp"

extern "C" const NPIID NPI_WSK_INTERFACE_ID = {
    0x2227E803, 0x8D8B, 0x11D4, {0xAB, 0xAD, 0x00, 0x90, 0x27, 0x71, 0x9E, 0x09}};

namespace wskport::km {

// Provider dispatch entries (wsk_provider.cpp, wsk_addrinfo.cpp). Same IRP contract as
// the socket functions (wsk_internal.hpp); a null or unknown client is refused with
// STATUS_INVALID_PARAMETER, nothing completed.
//
// WskSocket: Information = the new PWSK_SOCKET (events disabled, or the static ones).
//   STATUS_SUCCESS, STATUS_INVALID_PARAMETER (unknown category, a category/type pair
//   WSK lacks), STATUS_NOT_SUPPORTED (family, type or protocol), STATUS_TOO_MANY_OPENED_FILES.
// WskSocketConnect: create + bind + connect a connection socket; Information = the
//   socket on success (on failure the socket is closed, Information 0); the statuses of
//   WskSocket, WskBind and WskConnect.
// WskControlClient: WSK_SET_STATIC_EVENT_CALLBACKS, WSK_TRANSPORT_LIST_QUERY
//   (STATUS_BUFFER_OVERFLOW with the size in *OutputSizeReturned), WSK_CACHE_SD /
//   WSK_RELEASE_SD (no security descriptors in a process: the pointer is handed back);
//   other codes STATUS_NOT_SUPPORTED. Without an IRP the status is returned.
// WskGetAddressInfo: asynchronous (resolver on a provider thread), Information 0;
//   STATUS_SUCCESS, STATUS_NOT_FOUND, STATUS_IO_TIMEOUT, STATUS_INVALID_PARAMETER (no
//   Result, OwningThread without OwningProcess, name space other than NS_ALL/NS_DNS,
//   bad UTF-16, unknown service), STATUS_NOT_SUPPORTED (hints family).
// WskGetNameInfo: host and service names (hosts file, DNS, services table through the
//   platform's getnameinfo / GetNameInfoW on a provider thread) into the caller's
//   UNICODE_STRINGs, Information 0; with NI_NUMERICHOST and NI_NUMERICSERV (or the
//   other string NULL) the numeric forms, made inline. NI_NOFQDN, NI_NAMEREQD, NI_DGRAM
//   as the platform's resolver applies them. STATUS_SUCCESS, STATUS_BUFFER_TOO_SMALL
//   (a string's MaximumLength cannot hold the name and its NUL: neither is written),
//   STATUS_INVALID_PARAMETER (both strings NULL, an unknown flag, SockAddrLength short
//   of the family's sockaddr, OwningThread without OwningProcess), STATUS_INVALID_ADDRESS
//   (family), STATUS_NOT_FOUND (NI_NAMEREQD and no name: the status Windows 8 and later
//   give WskGetAddressInfo for an unknown name, where the page names STATUS_NO_MATCH),
//   STATUS_IO_TIMEOUT (the name server did not answer).
NTSTATUS WSKAPI wsk_socket(PWSK_CLIENT, ADDRESS_FAMILY, USHORT, ULONG, ULONG, PVOID, const VOID*,
                           PEPROCESS, PETHREAD, PSECURITY_DESCRIPTOR, PIRP);
NTSTATUS WSKAPI wsk_socket_connect(PWSK_CLIENT, USHORT, ULONG, PSOCKADDR, PSOCKADDR, ULONG, PVOID,
                                   const WSK_CLIENT_CONNECTION_DISPATCH*, PEPROCESS, PETHREAD,
                                   PSECURITY_DESCRIPTOR, PIRP);
NTSTATUS WSKAPI wsk_control_client(PWSK_CLIENT, ULONG, SIZE_T, PVOID, SIZE_T, PVOID, SIZE_T*, PIRP);
NTSTATUS WSKAPI wsk_get_address_info(PWSK_CLIENT, PUNICODE_STRING, PUNICODE_STRING, ULONG, GUID*,
                                     PADDRINFOEXW, PADDRINFOEXW*, PEPROCESS, PETHREAD, PIRP);
VOID WSKAPI wsk_free_address_info(PWSK_CLIENT, PADDRINFOEXW);
NTSTATUS WSKAPI wsk_get_name_info(PWSK_CLIENT, PSOCKADDR, ULONG, PUNICODE_STRING, PUNICODE_STRING,
                                  ULONG, PEPROCESS, PETHREAD, PIRP);

namespace {

constexpr USHORT provider_version = MAKE_WSK_VERSION(1, 0);

const WSK_PROVIDER_DISPATCH provider_dispatch = {
    provider_version,
    0,
    &wsk_socket,
    &wsk_socket_connect,
    &wsk_control_client,
    &wsk_get_address_info,
    &wsk_free_address_info,
    &wsk_get_name_info,
};

Registration* registration_of(PWSK_REGISTRATION r) noexcept {
  if (r == nullptr) return nullptr;
  auto* reg = static_cast<Registration*>(r->ReservedRegistrationContext);
  return reg != nullptr && reg->magic == Registration::live ? reg : nullptr;
}

}  // namespace

Registration* registration_from(PWSK_CLIENT client) noexcept {
  auto* reg = static_cast<Registration*>(client);
  return reg != nullptr && reg->magic == Registration::live ? reg : nullptr;
}

void call_begin(Registration& reg) noexcept { reg.calls.fetch_add(1, std::memory_order_seq_cst); }

void call_end(Registration& reg) noexcept {
  // Not the last call in flight: lock-free.
  auto c = reg.calls.load(std::memory_order_relaxed);
  while (c > 1) {
    if (reg.calls.compare_exchange_weak(c, c - 1, std::memory_order_seq_cst)) return;
  }
  // Perhaps the last: the count reaches zero only under the lock. WskDeregister reads it
  // under the lock and then frees the registration, so it must not see zero while this
  // thread is still on its way to the notify (TSan caught a free in that window, after
  // a spurious or socket wake-up of WskDeregister).
  std::lock_guard lock(reg.m);
  if (reg.calls.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      reg.deregistering.load(std::memory_order_relaxed)) {
    reg.cv.notify_all();
  }
}

namespace {

void drop(Registration& reg, Counted what) noexcept {
  if (what == Counted::call) {
    call_end(reg);
    return;
  }
  wskport::km::image::add_live(reg.image, wskport::km::image::Live::sockets, -1);
  std::lock_guard lock(reg.m);
  if (--reg.sockets == 0) reg.cv.notify_all();
}

}  // namespace

void release_later(Registration& reg, Counted what) noexcept {
  struct Job {
    Registration* reg;
    Counted what;
  };
  auto* job = new (std::nothrow) Job{&reg, what};
  if (job == nullptr) {  // no memory for the job: drop it here (the narrow race stays)
    drop(reg, what);
    return;
  }
  bridge::post(
      *reg.provider,
      [](void* p) {
        auto* j = static_cast<Job*>(p);
        Registration& r = *j->reg;
        const Counted w = j->what;
        delete j;
        drop(r, w);
      },
      job);
}

CallScope::CallScope(Registration* r) noexcept : r_(r) {
  if (r_ != nullptr) call_begin(*r_);
}

CallScope::~CallScope() {
  if (r_ != nullptr) call_end(*r_);
}

}  // namespace wskport::km

using wskport::km::Registration;

/// Registers a WSK client: a provider with its own threads is started for it.
/// Completes synchronously: STATUS_SUCCESS; STATUS_INVALID_PARAMETER (null arguments
/// or a client without a dispatch table); STATUS_NOINTERFACE (client version not
/// 1.x); STATUS_INSUFFICIENT_RESOURCES (no memory or the provider could not start).
extern "C" NTSTATUS WSKAPI WskRegister(PWSK_CLIENT_NPI WskClientNpi,
                                       PWSK_REGISTRATION WskRegistration) {
  if (WskClientNpi == nullptr || WskRegistration == nullptr || WskClientNpi->Dispatch == nullptr) {
    return STATUS_INVALID_PARAMETER;
  }
  if (WSK_MAJOR_VERSION(WskClientNpi->Dispatch->Version) != 1) return STATUS_NOINTERFACE;
  auto* reg = new (std::nothrow) Registration;
  if (reg == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  wskport::NTSTATUS error = STATUS_SUCCESS;
  wskport::ProviderOptions options;
  options.threads = 2;  // one may block in a callback while the other completes IRPs
  reg->provider = wskport::Provider::create(options, &error);
  if (!reg->provider) {
    delete reg;
    return NT_SUCCESS(error) ? STATUS_INSUFFICIENT_RESOURCES : error;
  }
  reg->client = *WskClientNpi;
  reg->image = wskport::km::image::owner_of(WSKPORT_KM_CALLER());
  wskport::km::image::add_live(reg->image, wskport::km::image::Live::registrations, 1);
  WskRegistration->ReservedRegistrationState = 1;
  WskRegistration->ReservedRegistrationContext = reg;
  return STATUS_SUCCESS;
}

/// Captures the provider NPI. WaitTimeout (ms, WSK_NO_WAIT, WSK_INFINITE_WAIT) only
/// matters while deregistration is under way: the provider is ready as soon as
/// WskRegister returned. Synchronous: STATUS_SUCCESS; STATUS_DEVICE_NOT_READY
/// (WskDeregister began or finished); STATUS_INVALID_PARAMETER (null arguments, or a
/// registration that was never registered).
extern "C" NTSTATUS WSKAPI WskCaptureProviderNPI(PWSK_REGISTRATION WskRegistration,
                                                 ULONG WaitTimeout,
                                                 PWSK_PROVIDER_NPI WskProviderNpi) {
  (void)WaitTimeout;
  Registration* reg = wskport::km::registration_of(WskRegistration);
  if (WskRegistration != nullptr && WskRegistration->ReservedRegistrationState == 2) {
    return STATUS_DEVICE_NOT_READY;  // deregistered
  }
  if (reg == nullptr || WskProviderNpi == nullptr) return STATUS_INVALID_PARAMETER;
  std::lock_guard lock(reg->m);
  if (reg->deregistering) return STATUS_DEVICE_NOT_READY;
  ++reg->captures;
  WskProviderNpi->Client = reg;
  WskProviderNpi->Dispatch = &wskport::km::provider_dispatch;
  return STATUS_SUCCESS;
}

/// Releases one capture. Synchronous; ignores an unknown registration.
extern "C" VOID WSKAPI WskReleaseProviderNPI(PWSK_REGISTRATION WskRegistration) {
  Registration* reg = wskport::km::registration_of(WskRegistration);
  if (reg == nullptr) return;
  std::lock_guard lock(reg->m);
  if (reg->captures != 0 && --reg->captures == 0) reg->cv.notify_all();
}

/// The provider's version range (1.0 .. 1.0). Synchronous: STATUS_SUCCESS;
/// STATUS_INVALID_PARAMETER (null arguments or not registered).
extern "C" NTSTATUS WSKAPI WskQueryProviderCharacteristics(
    PWSK_REGISTRATION WskRegistration, PWSK_PROVIDER_CHARACTERISTICS WskProviderCharacteristics) {
  if (wskport::km::registration_of(WskRegistration) == nullptr ||
      WskProviderCharacteristics == nullptr) {
    return STATUS_INVALID_PARAMETER;
  }
  WskProviderCharacteristics->HighestVersion = wskport::km::provider_version;
  WskProviderCharacteristics->LowestVersion = wskport::km::provider_version;
  return STATUS_SUCCESS;
}

/// Deregisters: new captures fail with STATUS_DEVICE_NOT_READY at once; then blocks
/// until every capture is released, every provider call has returned and every socket
/// of this client is closed (its close IRP completed), and stops the provider's
/// threads. Must not be called from a completion routine or callback (PASSIVE_LEVEL,
/// as in the kernel).
extern "C" VOID WSKAPI WskDeregister(PWSK_REGISTRATION WskRegistration) {
  Registration* reg = wskport::km::registration_of(WskRegistration);
  if (reg == nullptr) return;
  {
    std::unique_lock lock(reg->m);
    reg->deregistering.store(true, std::memory_order_seq_cst);
    const auto done = [reg] {
      return reg->captures == 0 && reg->calls.load(std::memory_order_seq_cst) == 0 &&
             reg->sockets == 0;
    };
    // WskDeregister waits, as the kernel's does, for captures to be released, calls to
    // return and sockets to be closed. A client that never closes a socket waits
    // forever; with the verifier's leak checks on, that is reported (after a grace
    // period for closes still completing) instead of hanging.
    using wskport::detail::verifier::on;
    if (on(::wskport::verifier::leaks) && !reg->cv.wait_for(lock, std::chrono::seconds(10), done)) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "WskDeregister after 10 s: %zu socket(s) not closed, %zu NPI "
                    "capture(s) not released, %zu call(s) still in the provider",
                    static_cast<std::size_t>(reg->sockets), static_cast<std::size_t>(reg->captures),
                    static_cast<std::size_t>(reg->calls.load()));
      lock.unlock();
      wskport::detail::verifier::report(::wskport::verifier::leaks, nullptr, 0, "WskDeregister",
                                        text);
      lock.lock();
    }
    reg->cv.wait(lock, done);
  }
  reg->provider.reset();
  wskport::km::image::add_live(reg->image, wskport::km::image::Live::registrations, -1);
  reg->magic = 0;
  WskRegistration->ReservedRegistrationContext = nullptr;
  WskRegistration->ReservedRegistrationState = 2;  // later captures: DEVICE_NOT_READY
  delete reg;
}
