// SPDX-License-Identifier: MIT
// WskDeregister under load: a client registration with 100 connected sockets, each with
// a receive pending and every tenth with a 32 MiB send pending (the peers, accepted by a
// second registration, never read). WskDeregister is started first, as an unloading
// driver does; it must refuse new NPI captures at once and wait; then the client closes
// its sockets. Every pending IRP completes exactly once with STATUS_CANCELLED (what
// WskCloseSocket promises: the peers stay open, so no reset reaches them first), every
// close succeeds, and WskDeregister returns after the last close. Kernel-style code, in
// the km verifier binary (the km headers stand in for the platform's).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "km_wsk/wsk_check_support.hpp"

namespace {

using wsk_check::Mdl;
using wsk_check::Op;

constexpr int pairs = 100;
constexpr int big_every = 10;

struct Client {
  WSK_REGISTRATION registration{};
  WSK_PROVIDER_NPI npi{};
  bool ok = false;
  Client() {
    static const WSK_CLIENT_DISPATCH dispatch = {MAKE_WSK_VERSION(1, 0), 0, nullptr};
    WSK_CLIENT_NPI client = {nullptr, &dispatch};
    ok = NT_SUCCESS(WskRegister(&client, &registration)) &&
         NT_SUCCESS(WskCaptureProviderNPI(&registration, WSK_NO_WAIT, &npi));
  }
};

const WSK_PROVIDER_CONNECTION_DISPATCH* connection(PWSK_SOCKET s) {
  return static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH*>(s->Dispatch);
}

bool close_now(PWSK_SOCKET s) {
  Op op;
  return connection(s)->Basic.WskCloseSocket(s, op.reset()) == STATUS_PENDING && op.wait() &&
         op.st() == STATUS_SUCCESS;
}

// One round; failures are reported through gtest.
void deregister_round(const std::vector<char>& big) {
  Client peer;
  Client client;
  ASSERT_TRUE(peer.ok && client.ok);
  Op op;
  ASSERT_EQ(peer.npi.Dispatch->WskSocket(peer.npi.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                         WSK_FLAG_LISTEN_SOCKET, nullptr, nullptr, nullptr, nullptr,
                                         nullptr, op.reset()),
            STATUS_PENDING);
  ASSERT_TRUE(op.wait() && op.st() == STATUS_SUCCESS);
  auto* listener = reinterpret_cast<PWSK_SOCKET>(op.info());
  const auto* ld = static_cast<const WSK_PROVIDER_LISTEN_DISPATCH*>(listener->Dispatch);
  SOCKADDR_IN at{};
  IN4ADDR_SETLOOPBACK(&at);
  ASSERT_EQ(ld->WskBind(listener, reinterpret_cast<PSOCKADDR>(&at), 0, op.reset()), STATUS_PENDING);
  ASSERT_TRUE(op.wait() && op.st() == STATUS_SUCCESS);
  SOCKADDR_IN bound{};
  (void)ld->WskGetLocalAddress(listener, reinterpret_cast<PSOCKADDR>(&bound), op.reset());
  ASSERT_TRUE(op.wait() && op.st() == STATUS_SUCCESS);

  std::vector<PWSK_SOCKET> clients;
  std::vector<PWSK_SOCKET> peers;
  for (int i = 0; i < pairs; ++i) {
    Op accept;
    (void)ld->WskAccept(listener, 0, nullptr, nullptr, nullptr, nullptr, accept.reset());
    (void)client.npi.Dispatch->WskSocketConnect(client.npi.Client, SOCK_STREAM, IPPROTO_TCP,
                                                reinterpret_cast<PSOCKADDR>(&at),
                                                reinterpret_cast<PSOCKADDR>(&bound), 0, nullptr,
                                                nullptr, nullptr, nullptr, nullptr, op.reset());
    const bool connected = op.wait() && op.st() == STATUS_SUCCESS;
    const bool accepted = accept.wait() && accept.st() == STATUS_SUCCESS;
    if (connected) clients.push_back(reinterpret_cast<PWSK_SOCKET>(op.info()));
    if (accepted) peers.push_back(reinterpret_cast<PWSK_SOCKET>(accept.info()));
    ASSERT_TRUE(connected && accepted) << "pair " << i;
  }

  // The load on the client's sockets.
  std::vector<std::unique_ptr<Op>> pending;
  std::vector<std::unique_ptr<Mdl>> mdls;
  std::vector<char> small(static_cast<std::size_t>(pairs) * 64);
  for (int i = 0; i < pairs; ++i) {
    PWSK_SOCKET s = clients[static_cast<std::size_t>(i)];
    mdls.push_back(std::make_unique<Mdl>(&small[static_cast<std::size_t>(i) * 64], 64));
    WSK_BUF rx = {mdls.back()->m, 0, 64};
    pending.push_back(std::make_unique<Op>());
    EXPECT_EQ(connection(s)->WskReceive(s, &rx, 0, pending.back()->reset()), STATUS_PENDING);
    if (i % big_every != 0) continue;
    mdls.push_back(
        std::make_unique<Mdl>(const_cast<char*>(big.data()), static_cast<ULONG>(big.size())));
    WSK_BUF tx = {mdls.back()->m, 0, big.size()};
    auto send = std::make_unique<Op>();
    (void)connection(s)->WskSend(s, &tx, 0, send->reset());
    // A send the socket buffers took whole is not pending: nothing to check for it.
    if (send->done.load() == 0) pending.push_back(std::move(send));
  }

  WskReleaseProviderNPI(&client.registration);
  std::atomic<bool> deregistered{false};
  std::thread unload([&] {
    WskDeregister(&client.registration);
    deregistered = true;
  });
  // Deregistration under way: captures are refused at once, and it waits for the sockets.
  WSK_PROVIDER_NPI again{};
  NTSTATUS capture = STATUS_SUCCESS;
  for (int i = 0; i < 5000 && capture == STATUS_SUCCESS; ++i) {
    capture = WskCaptureProviderNPI(&client.registration, WSK_NO_WAIT, &again);
    if (capture == STATUS_SUCCESS) {
      WskReleaseProviderNPI(&client.registration);
      wsk_check::sleep_ms(1);
    }
  }
  EXPECT_EQ(capture, STATUS_DEVICE_NOT_READY);
  EXPECT_FALSE(deregistered.load()) << "WskDeregister returned with sockets open";
  for (PWSK_SOCKET s : clients) EXPECT_TRUE(close_now(s));
  for (int i = 0; i < 5000 && !deregistered.load(); ++i) wsk_check::sleep_ms(1);
  EXPECT_TRUE(deregistered.load()) << "WskDeregister still waiting after every close";
  int wrong = 0;
  for (const auto& p : pending) {
    if (!p->wait() || p->st() != STATUS_CANCELLED) {
      if (++wrong <= 5) {
        ADD_FAILURE() << "pending IRP: completions " << p->done.load() << ", status 0x" << std::hex
                      << static_cast<unsigned long>(p->st());
      }
    }
  }
  EXPECT_EQ(wrong, 0);

  for (PWSK_SOCKET s : peers) EXPECT_TRUE(close_now(s));
  EXPECT_TRUE(close_now(listener));
  if (deregistered.load()) {
    unload.join();
  } else {
    unload.detach();  // reported above; joining would hang the suite
  }
  WskReleaseProviderNPI(&peer.registration);
  WskDeregister(&peer.registration);
}

long from_env(const char* name, long fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

// 5 rounds or 5 s in the suite; the soak entry (wskport_soak_deregister) sets
// WSKPORT_DEREGISTER_ROUNDS / WSKPORT_DEREGISTER_SECONDS for its longer run.
TEST(DeregisterUnderLoad, PendingIrpsCompleteCancelledAndDeregisterWaitsForTheCloses) {
  const std::vector<char> big(32U << 20U, 'x');
  const long rounds = from_env("WSKPORT_DEREGISTER_ROUNDS", 5);
  const auto started = std::chrono::steady_clock::now();
  const auto stop = started + std::chrono::seconds(from_env("WSKPORT_DEREGISTER_SECONDS", 5));
  long done = 0;
  for (long round = 0; round < rounds && (round == 0 || std::chrono::steady_clock::now() < stop);
       ++round) {
    SCOPED_TRACE(round);
    deregister_round(big);
    if (HasFatalFailure() || HasFailure()) break;
    ++done;
  }
  std::printf("deregister under load: %ld of %ld rounds (%d sockets each) in %.1f s\n", done,
              rounds, pairs,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
