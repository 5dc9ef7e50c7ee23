// SPDX-License-Identifier: MIT
// Provider::shutdown under load, shared by the teardown tests and the soak test: one
// provider, many connected loopback pairs with transfers in flight (a receive pending on
// every socket that is not sending, a large send pending on some), then shutdown. Every
// pending IRP must have completed exactly once, with STATUS_FILE_FORCED_CLOSED, by the
// time shutdown returns (provider.hpp's promise), whichever end of a pair the teardown
// reaches first.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reliability/reliability_support.hpp"
#include "support/test_irp.hpp"

namespace wskport::test {

struct TeardownLoad {
  std::size_t pairs = 100;
  /// Every big_every-th pair has a large send pending instead of a receive on one end
  /// (alternately the connecting and the accepted end); 0 for none.
  std::size_t big_every = 10;
};

/// One round. Returns "" on success, else what went wrong (the first few failures).
/// @p big is the large send's source; it must outlive the call.
inline std::string shutdown_round(AddressFamily family, const TeardownLoad& load,
                                  const std::vector<std::uint8_t>& big) {
  std::string why;
  const auto fail = [&why](const std::string& text) {
    if (why.size() < 2000) why += text + "\n";
  };
  auto p = Provider::create();
  if (!p) return "provider not created";
  Socket listener;
  std::vector<Socket> clients;
  std::vector<Socket> servers;
  WaitableIrp irp;
  WaitableIrp accept_irp;
  const Address at = loopback_of(family);
  auto r = sync_call(irp, [&](Irp* i) {
    return p->create_socket(family, SocketType::stream, Protocol::tcp, Category::listen, i);
  });
  if (r.status != status::success) return "create listener: " + status_string(r.status);
  listener = p->socket_from(r.information);
  Address bound;
  if (sync_call(irp, [&](Irp* i) { return listener.bind(at, i); }).status != status::success ||
      sync_call(irp, [&](Irp* i) { return listener.local_address(&bound, i); }).status !=
          status::success) {
    return "bind listener";
  }
  for (std::size_t i = 0; i < load.pairs && why.empty(); ++i) {
    r = sync_call(irp, [&](Irp* x) {
      return p->create_socket(family, SocketType::stream, Protocol::tcp, Category::connection, x);
    });
    if (r.status != status::success) {
      fail("create client: " + status_string(r.status));
      break;
    }
    const Socket c = p->socket_from(r.information);
    clients.push_back(c);
    if (sync_call(irp, [&](Irp* x) { return c.bind(at, x); }).status != status::success) {
      fail("bind client");
      break;
    }
    accept_irp.arm();
    (void)listener.accept(nullptr, nullptr, &accept_irp);
    const NTSTATUS connected = sync_call(irp, [&](Irp* x) { return c.connect(bound, x); }).status;
    if (!accept_irp.wait_for(sync_bound)) {
      fail("accept did not complete within the bound");
      (void)close_socket(listener);
      return why;
    }
    if (connected != status::success || accept_irp.IoStatus.Status != status::success) {
      fail("connect " + status_string(connected) + ", accept " +
           status_string(accept_irp.IoStatus.Status));
      break;
    }
    servers.push_back(p->socket_from(accept_irp.IoStatus.Information));
  }

  // The load: what each pending call and its buffer are.
  std::vector<std::unique_ptr<TestIrp>> pending;
  std::vector<std::array<std::uint8_t, 64>> buffers(2 * servers.size());
  const auto post_receive = [&](const Socket& s, std::size_t buffer) {
    auto t = std::make_unique<TestIrp>("receive #" + std::to_string(buffer));
    const NTSTATUS st = t->issue(
        [&](Irp* x) { return s.receive(buffers[buffer].data(), buffers[buffer].size(), 0, x); });
    if (st != status::pending) fail(t->name() + " did not pend: " + status_string(st));
    pending.push_back(std::move(t));
  };
  for (std::size_t i = 0; i < servers.size() && why.empty(); ++i) {
    const bool big_pair = load.big_every != 0 && i % load.big_every == 0;
    if (!big_pair) {
      post_receive(clients[i], 2 * i);
      post_receive(servers[i], 2 * i + 1);
      continue;
    }
    // The sender is the end the teardown reaches second half of the time, so the first
    // end's reset would otherwise meet a pending send.
    const bool server_sends = (i / load.big_every) % 2 == 1;
    const Socket& sender = server_sends ? servers[i] : clients[i];
    post_receive(sender, 2 * i);
    auto t = std::make_unique<TestIrp>("send #" + std::to_string(i));
    const NTSTATUS st = t->issue([&](Irp* x) { return sender.send(big.data(), big.size(), 0, x); });
    // A send the socket buffers took whole is not pending: nothing to check for it.
    if (st == status::pending) pending.push_back(std::move(t));
  }

  p->shutdown();
  std::size_t not_done = 0;
  for (const auto& t : pending) {
    // shutdown "blocks until the completions have run".
    if (t->completions() != t->calls()) {
      ++not_done;
      continue;
    }
    const Outcome o = t->latest();
    if (!o.violation.empty() || o.status != status::file_forced_closed) fail(describe(o));
  }
  if (not_done != 0)
    fail(std::to_string(not_done) + " IRP(s) not completed when shutdown returned");
  // Close still succeeds after shutdown and must still be called.
  for (const auto& s : clients) {
    if (!close_socket(s)) fail("close after shutdown failed");
  }
  for (const auto& s : servers) {
    if (!close_socket(s)) fail("close after shutdown failed");
  }
  if (!close_socket(listener)) fail("close of the listener after shutdown failed");
  for (const auto& t : pending) {
    // Anything not completed by now waits here (bounded), so no IRP leaks past the round.
    if (!t->wait_completions(t->calls())) fail(t->name() + " never completed");
  }
  p.reset();
  return why;
}

}  // namespace wskport::test
