// SPDX-License-Identifier: MIT
// The bad-input table: each bad input the library is given and the status it answers
// with, as data the test walks, so the table in docs/reliability.md is checked, not
// prose. Set WSKPORT_PRINT_TABLE=1 to print the table in markdown after the walk.
//
// The verifier's usage group is off here: these misuses are deliberate and the point
// is their status. The irp and leaks groups stay on, so a misuse that corrupted the
// IRP life cycle would still stop the test.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "support/conformance_fixture.hpp"
#include "support/native_sockaddr.hpp"
#include "wskport/verifier.hpp"

namespace wskport::test {
namespace {

class BadInput : public Conformance {
 protected:
  void SetUp() override {
    saved_ = verifier::enabled_checks();
    verifier::enable(saved_ & ~unsigned{verifier::usage});
    Conformance::SetUp();
  }
  void TearDown() override {
    Conformance::TearDown();
    verifier::enable(saved_);
  }
  unsigned saved_ = 0;

 public:
  // The rows below are free functions of the fixture.
  using Conformance::loopback;
  using Conformance::make;
  using Conformance::make_listener;
  using Conformance::make_udp;
  using Conformance::other_family_loopback;
  using FixtureBase::h;
  using FixtureBase::Pair;
  /// A bound connection socket, its peer accepted, the listener closed.
  void pair(Pair& p) { make_pair(p); }
};

// One row: the group, the input in words, the expected status, and whether the call
// is refused (returned without completing its IRP) rather than completed.
struct Row {
  const char* group;
  const char* input;
  NTSTATUS expected;
  bool refused;
  std::function<Outcome(BadInput&)> run;
};

Outcome refused_call(NTSTATUS returned) {
  Outcome o;
  o.completed = true;
  o.returned = returned;
  o.status = returned;
  return o;
}

std::vector<Row> table() {
  std::vector<Row> rows;
  // ---- null ----
  rows.push_back({"null", "null IRP (any call)", status::invalid_parameter, true, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    return refused_call(s->bind(f.loopback(), nullptr));
                  }});
  rows.push_back({"null", "null address output (local_address)", status::invalid_parameter, false,
                  [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    return f.h.run("local_address",
                                   [&](Irp* i) { return s->local_address(nullptr, i); });
                  }});
  rows.push_back(
      {"null", "null remote address (send_to)", status::invalid_parameter, false, [](BadInput& f) {
         auto u = f.make_udp();
         (void)u.bind(f.loopback());
         char b = 0;
         return f.h.run("send_to", [&](Irp* i) { return u->send_to(&b, 1, nullptr, i); });
       }});
  rows.push_back({"null", "null buffer with a non-zero length (send)", status::invalid_parameter,
                  false, [](BadInput& f) {
                    BadInput::Pair p;
                    f.pair(p);
                    return f.h.run("send",
                                   [&](Irp* i) { return p.client->send(nullptr, 4, 0, i); });
                  }});
  rows.push_back(
      {"null", "null native sockaddr (bind)", status::invalid_parameter, false, [](BadInput& f) {
         auto s = f.make(Category::connection);
         return f.h.run("bind", [&](Irp* i) { return s->bind(nullptr, 16, i); });
       }});
  // ---- addresses ----
  rows.push_back({"address", "native sockaddr shorter than its family field",
                  status::invalid_parameter, false, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    const NativeAddress n = to_native(f.loopback());
                    return f.h.run("bind", [&](Irp* i) { return s->bind(n.data(), 1, i); });
                  }});
  rows.push_back({"address", "native sockaddr shorter than its family's struct",
                  status::invalid_address, false, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    const NativeAddress n = to_native(f.loopback());
                    return f.h.run("bind",
                                   [&](Irp* i) { return s->bind(n.data(), n.length - 1, i); });
                  }});
  rows.push_back({"address", "native sockaddr of an unknown family", status::invalid_address, false,
                  [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    NativeAddress n = to_native(f.loopback());
                    set_native_family(n, bogus_family);
                    return f.h.run("bind", [&](Irp* i) { return s->bind(n.data(), n.length, i); });
                  }});
  rows.push_back({"address", "bind to the other IP family's address", status::invalid_address,
                  false, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    return s.bind(f.other_family_loopback());
                  }});
  rows.push_back({"address", "connect to the other IP family's address", status::invalid_address,
                  false, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    (void)s.bind(f.loopback());
                    return s.connect(f.other_family_loopback());
                  }});
  // ---- wrong category ----
  rows.push_back({"category", "accept on a connection socket", status::invalid_device_state, false,
                  [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    return f.h.run("accept",
                                   [&](Irp* i) { return s->accept(nullptr, nullptr, i); });
                  }});
  rows.push_back(
      {"category", "send on a listen socket", status::invalid_device_state, false, [](BadInput& f) {
         ScopedSocket l;
         Address at;
         f.make_listener(l, at);
         char b = 0;
         return l.send(&b, 1);
       }});
  rows.push_back({"category", "send_to on a connection socket", status::invalid_device_state, false,
                  [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    (void)s.bind(f.loopback());
                    const Address to = f.loopback();
                    char b = 0;
                    return f.h.run("send_to", [&](Irp* i) { return s->send_to(&b, 1, &to, i); });
                  }});
  rows.push_back(
      {"category", "bind on a basic socket", status::invalid_device_state, false, [](BadInput& f) {
         auto s = f.make(Category::basic);
         return s.bind(f.loopback());
       }});
  // ---- wrong state ----
  rows.push_back(
      {"state", "connect before bind", status::invalid_device_state, false, [](BadInput& f) {
         auto s = f.make(Category::connection);
         return s.connect(f.loopback(9));
       }});
  rows.push_back(
      {"state", "send before connect", status::invalid_device_state, false, [](BadInput& f) {
         auto s = f.make(Category::connection);
         (void)s.bind(f.loopback());
         char b = 0;
         return s.send(&b, 1);
       }});
  rows.push_back(
      {"state", "second bind", status::address_already_associated, false, [](BadInput& f) {
         auto s = f.make(Category::connection);
         (void)s.bind(f.loopback());
         return s.bind(f.loopback());
       }});
  rows.push_back(
      {"state", "connect on a connected socket", status::connection_active, false, [](BadInput& f) {
         BadInput::Pair p;
         f.pair(p);
         return p.client.connect(p.server_addr);
       }});
  rows.push_back({"state", "send after a graceful disconnect", status::invalid_device_state, false,
                  [](BadInput& f) {
                    BadInput::Pair p;
                    f.pair(p);
                    (void)p.client.disconnect();
                    char b = 0;
                    return p.client.send(&b, 1);
                  }});
  // ---- buffers ----
  rows.push_back(
      {"buffer", "zero-length send on a connection", status::success, false, [](BadInput& f) {
         BadInput::Pair p;
         f.pair(p);
         return f.h.run("send", [&](Irp* i) { return p.client->send(nullptr, 0, 0, i); });
       }});
  rows.push_back(
      {"buffer", "buffer array whose total overflows size_t", status::invalid_parameter, false,
       [](BadInput& f) {
         BadInput::Pair p;
         f.pair(p);
         static char b[2];
         const ConstBuffer huge[2] = {{b, std::numeric_limits<std::size_t>::max()}, {b, 2}};
         return f.h.run("send", [&](Irp* i) {
           return p.client->send(std::span<const ConstBuffer>(huge), 0, i);
         });
       }});
  rows.push_back({"buffer", "datagram larger than 64 KiB (send_to)", status::invalid_buffer_size,
                  false, [](BadInput& f) {
                    auto u = f.make_udp();
                    (void)u.bind(f.loopback());
                    const Address to = f.loopback(9);
                    auto& big = f.h.buffer(70000);
                    return f.h.run("send_to", [&](Irp* i) {
                      return u->send_to(big.data(), big.size(), &to, i);
                    });
                  }});
  rows.push_back({"buffer", "receive with the drain flag and a buffer", status::invalid_parameter,
                  false, [](BadInput& f) {
                    BadInput::Pair p;
                    f.pair(p);
                    char b[4];
                    return p.server.receive(b, sizeof b, receive_flags::drain);
                  }});
  rows.push_back({"buffer", "unknown send flags", status::not_supported, false, [](BadInput& f) {
                    BadInput::Pair p;
                    f.pair(p);
                    char b = 0;
                    return f.h.run("send",
                                   [&](Irp* i) { return p.client->send(&b, 1, 0x8000U, i); });
                  }});
  // ---- IRPs ----
  rows.push_back({"irp", "IRP still pending handed to another call", status::invalid_parameter,
                  true, [](BadInput& f) {
                    BadInput::Pair p;
                    f.pair(p);
                    auto& buf = f.h.buffer(4);
                    TestIrp& irp = f.h.irp("pending receive");
                    irp.issue([&](Irp* i) { return p.server->receive(buf.data(), 4, 0, i); });
                    const NTSTATUS second = p.client->listen(&irp);
                    const bool untouched = irp.is_pending() && irp.completions() == 0;
                    p.server.close();  // cancels the receive
                    (void)irp.wait();
                    return refused_call(untouched ? second : status::unsuccessful);
                  }});
  rows.push_back(
      {"irp", "completed IRP reused for the next call", status::success, false, [](BadInput& f) {
         auto s = f.make(Category::connection);
         TestIrp& irp = f.h.irp("reused");
         irp.issue([&](Irp* i) { return s->set_option(SocketOption::keep_alive, 1, i); });
         (void)irp.wait();
         irp.issue([&](Irp* i) { return s->bind(f.loopback(), i); });
         return irp.wait();
       }});
  // ---- closed sockets ----
  rows.push_back({"closed", "any call on a closed socket's handle", status::invalid_handle, false,
                  [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    const Socket stale = s.get();
                    (void)s.close();
                    return f.h.run("bind", [&](Irp* i) { return stale.bind(f.loopback(), i); });
                  }});
  rows.push_back({"closed", "second close", status::invalid_handle, false, [](BadInput& f) {
                    auto s = f.make(Category::connection);
                    const Socket stale = s.get();
                    (void)s.close();
                    return f.h.run("close", [&](Irp* i) { return stale.close(i); });
                  }});
  rows.push_back({"closed", "a default-constructed (empty) Socket", status::invalid_handle, false,
                  [](BadInput& f) {
                    const Socket none;
                    return f.h.run("listen", [&](Irp* i) { return none.listen(i); });
                  }});
  rows.push_back(
      {"closed", "an invented socket id", status::invalid_handle, false, [](BadInput& f) {
         const Socket forged = f.h.provider().socket_from(0x1234567);
         return f.h.run("listen", [&](Irp* i) { return forged.listen(i); });
       }});
  return rows;
}

TEST_P(BadInput, EveryRowAnswersItsStatus) {
  const auto rows = table();
  for (const auto& row : rows) {
    SCOPED_TRACE(std::string(row.group) + ": " + row.input);
    const Outcome o = row.run(*this);
    if (row.refused) {
      EXPECT_STATUS(o.returned, row.expected) << "refused without completion";
    } else {
      EXPECT_COMPLETES_WITH(o, row.expected);
    }
  }
  if (std::getenv("WSKPORT_PRINT_TABLE") != nullptr) {  // NOLINT(concurrency-mt-unsafe)
    std::cout << "| Group | Bad input | Status |\n|---|---|---|\n";
    for (const auto& row : rows) {
      std::cout << "| " << row.group << " | " << row.input << " | `" << status_string(row.expected)
                << "`" << (row.refused ? ", returned; the IRP is not completed" : "") << " |\n";
    }
  }
}

// A provider shut down while transfers wait: each waiting IRP completes with
// file_forced_closed, so does every later call on its sockets and every create, and
// close still succeeds.
TEST_P(BadInput, ProviderShutDownUnderLoad) {
  constexpr int pairs = 4;
  std::vector<Pair> ps(pairs);
  std::vector<TestIrp*> waiting;
  // More than loopback buffers hold while nobody reads: each send is still taking
  // bytes when the provider shuts down. One buffer serves every send (read only).
  auto& big = h.buffer(16U << 20U);
  for (auto& p : ps) {
    ASSERT_NO_FATAL_FAILURE(make_pair(p));
    auto& buf = h.buffer(64);
    TestIrp& rx = h.irp("receive waiting at shutdown");
    rx.issue([&](Irp* i) { return p.client->receive(buf.data(), buf.size(), 0, i); });
    waiting.push_back(&rx);
    TestIrp& tx = h.irp("bulk send at shutdown");
    tx.issue([&](Irp* i) { return p.client->send(big.data(), big.size(), 0, i); });
    waiting.push_back(&tx);
  }
  h.provider().shutdown();
  for (TestIrp* irp : waiting) EXPECT_COMPLETES_WITH(irp->wait(), status::file_forced_closed);
  char b = 0;
  EXPECT_COMPLETES_WITH(ps[0].client.send(&b, 1), status::file_forced_closed);
  EXPECT_COMPLETES_WITH(ps[0].server.receive(&b, 1), status::file_forced_closed);
  Outcome created;
  EXPECT_FALSE(
      h.create_raw(family(), SocketType::stream, Protocol::tcp, Category::connection, &created));
  EXPECT_COMPLETES_WITH(created, status::file_forced_closed);
  for (auto& p : ps) {
    EXPECT_OK(p.client.close());
    EXPECT_OK(p.server.close());
  }
}

INSTANTIATE_TEST_SUITE_P(Providers, BadInput, ::testing::ValuesIn(provider_params()),
                         provider_param_name);

}  // namespace
}  // namespace wskport::test
