// SPDX-License-Identifier: MIT
// AF_UNIX: bind creates the socket file and reports its path; connect/accept/transfer;
// the bind(2) errors a path can provoke (EACCES, EADDRINUSE, ENOENT, ENOTDIR).
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/conformance_fixture.hpp"
#include "support/platform.hpp"

namespace wskport::test {
namespace {

class Unix : public UnixConformance {
 protected:
  ScopedSocket make_unix(Category c) {
    return make(AddressFamily::unix_domain, c, SocketType::stream, Protocol::automatic);
  }
};

TEST_P(Unix, BindCreatesTheSocketFile) {
  const auto path = in_dir("listen.sock");
  const Address where = path_address(path);
  ASSERT_EQ(where.family(), AddressFamily::unix_domain);
  auto l = make_unix(Category::listen);
  ASSERT_TRUE(l);
  ASSERT_FALSE(std::filesystem::exists(path));
  ASSERT_OK(l.bind(where));
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_socket(path, ec)) << path << " is not a socket file";
  Address local;
  ASSERT_OK(l.local_address(local));
  EXPECT_EQ(local.family(), AddressFamily::unix_domain);
  EXPECT_EQ(local.unix_path(), path.string());
  EXPECT_EQ(local, where);
  EXPECT_EQ(local.port(), 0);
}

TEST_P(Unix, ConnectAcceptAndTransfer) {
  Pair p;
  ASSERT_NO_FATAL_FAILURE(
      make_pair(p, path_address(in_dir("server.sock")), path_address(in_dir("client.sock"))));
  EXPECT_EQ(p.client_addr.unix_path(), in_dir("client.sock").string());
  Address remote;
  ASSERT_OK(p.server.remote_address(remote));
  EXPECT_EQ(remote.unix_path(), in_dir("client.sock").string());
  Address client_remote;
  ASSERT_OK(p.client.remote_address(client_remote));
  EXPECT_EQ(client_remote.unix_path(), in_dir("server.sock").string());

  auto& src = h.buffer(64U << 10U);
  fill_pattern(src, 0, 51);
  TestIrp& tx = h.irp("send 64 KiB");
  tx.issue([&](Irp* i) { return p.client->send(src.data(), src.size(), 0, i); });
  auto& dst = h.buffer(src.size());
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), dst, last), dst.size()) << describe(last);
  EXPECT_FALSE(pattern_mismatch(dst, 0, 51).has_value());
  const Outcome s = tx.wait();
  ASSERT_OK(s);
  EXPECT_EQ(s.information, src.size());

  // Graceful disconnect -> 0-byte receive, as over TCP.
  ASSERT_OK(p.client.disconnect(0));
  const Outcome eof = p.server.receive(dst.data(), dst.size());
  ASSERT_OK(eof);
  EXPECT_EQ(eof.information, 0U);
}

TEST_P(Unix, BindInAnUnwritableDirectory) {
  const auto sub = in_dir("locked");
  ASSERT_TRUE(std::filesystem::create_directory(sub));
  ASSERT_TRUE(platform::make_unwritable(sub));
  if (platform::can_write(sub)) {
    GTEST_SKIP() << "this process can write to a mode 0555 directory (running as root?): "
                    "EACCES cannot be provoked";
  }
  auto l = make_unix(Category::listen);
  ASSERT_TRUE(l);
  EXPECT_COMPLETES_WITH(l.bind(path_address(sub / "s.sock")), status::access_denied);
  auto c = make_unix(Category::connection);
  ASSERT_TRUE(c);
  EXPECT_COMPLETES_WITH(c.bind(path_address(sub / "c.sock")), status::access_denied);
}

TEST_P(Unix, BindToAnExistingPathIsAddressInUse) {
  const auto path = in_dir("taken.sock");
  auto first = make_unix(Category::listen);
  ASSERT_TRUE(first);
  ASSERT_OK(first.bind(path_address(path)));
  auto second = make_unix(Category::listen);
  ASSERT_TRUE(second);
  EXPECT_COMPLETES_WITH(second.bind(path_address(path)), status::address_already_associated);
  // A regular file in the way is the same errno (EADDRINUSE).
  const auto file = in_dir("plain-file");
  { std::ofstream(file) << "x"; }
  auto third = make_unix(Category::connection);
  ASSERT_TRUE(third);
  EXPECT_COMPLETES_WITH(third.bind(path_address(file)), status::address_already_associated);
}

TEST_P(Unix, BindPathErrors) {
  auto a = make_unix(Category::connection);
  ASSERT_TRUE(a);
  EXPECT_COMPLETES_WITH(a.bind(path_address(in_dir("missing") / "s.sock")),
                        status::object_path_not_found)
      << "ENOENT: a directory on the path does not exist";
  const auto file = in_dir("not-a-dir");
  { std::ofstream(file) << "x"; }
  auto b = make_unix(Category::connection);
  ASSERT_TRUE(b);
  EXPECT_COMPLETES_WITH(b.bind(path_address(file / "s.sock")), status::not_a_directory)
      << "ENOTDIR: a file where a directory should be";
}

TEST_P(Unix, FamilyMismatch) {
  auto s = make_unix(Category::connection);
  ASSERT_TRUE(s);
  EXPECT_COMPLETES_WITH(s.bind(Address::ipv4_loopback(0)), status::invalid_address);
}

TEST_P(Unix, CloseWithAPendingAccept) {
  ScopedSocket listener;
  Address bound;
  ASSERT_NO_FATAL_FAILURE(make_listener(listener, path_address(in_dir("l.sock")), bound));
  TestIrp& acc = h.irp("accept (pending, AF_UNIX)");
  EXPECT_STATUS(acc.issue([&](Irp* i) { return listener->accept(nullptr, nullptr, i); }),
                status::pending);
  const Outcome c = listener.close();
  ASSERT_OK(c);
  const Outcome a = acc.wait();
  EXPECT_COMPLETES_WITH(a, status::cancelled);
  EXPECT_LT(a.seq, c.seq);
}

TEST_P(Unix, AbstractAddress) {
#ifndef __linux__
  GTEST_SKIP() << "abstract AF_UNIX addresses are a Linux feature";
#else
  std::string name("\0wskport-conformance-", 22);
  name += dir_.path().filename().string();
  Address where;
  ASSERT_STATUS(Address::unix_path(name, where), status::success);
  Pair p;
  ASSERT_NO_FATAL_FAILURE(make_pair(p, where, path_address(in_dir("client.sock"))));
  Address local;
  ASSERT_OK(p.server.local_address(local));
  EXPECT_EQ(local.unix_path(), name);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / name.substr(1))) << "no file for it";
  const std::array<std::uint8_t, 3> d{1, 2, 3};
  ASSERT_OK(p.client.send(d.data(), d.size()));
  auto& in = h.buffer(3);
  Outcome last;
  ASSERT_EQ(receive_exactly(h, p.server.get(), in, last), d.size()) << describe(last);
  EXPECT_TRUE(std::equal(d.begin(), d.end(), in.begin()));
#endif
}

}  // namespace

WSKPORT_INSTANTIATE_UNIX(Unix);

}  // namespace wskport::test
