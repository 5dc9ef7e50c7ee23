// SPDX-License-Identifier: MIT
// Install-test consumer: creates a provider and one socket through the installed package,
// prints the statuses, closes the socket. Exits 0 only if everything succeeded.
#include <wskport/provider.hpp>
#include <wskport/status.hpp>
#include <wskport/waitable_irp.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

void print(const char* what, wskport::NTSTATUS s) {
  char text[96];
  wskport::format_status(s, text, sizeof text);
  std::printf("%s: %s\n", what, text);
}

// Issues one call on @p irp and waits (bounded) for its completion.
template <class Call>
wskport::NTSTATUS run(wskport::WaitableIrp& irp, Call call) {
  irp.arm();
  const wskport::NTSTATUS returned = call(&irp);
  if (returned != wskport::status::pending) return returned;  // completed inline
  if (!irp.wait_for(std::chrono::seconds(10))) {
    // The IRP is still pending and must not be destroyed: leave without unwinding.
    std::printf("no completion within 10 s\n");
    std::fflush(stdout);
    std::_Exit(2);
  }
  return irp.IoStatus.Status;
}

}  // namespace

int main() {
  wskport::NTSTATUS error = wskport::status::unsuccessful;
  auto provider = wskport::Provider::create({}, &error);
  print("Provider::create", error);
  if (!provider) return 1;
  std::printf("engine: %.*s\n", static_cast<int>(provider->engine_name().size()),
              provider->engine_name().data());

  wskport::WaitableIrp irp;
  const wskport::NTSTATUS created = run(irp, [&](wskport::Irp* i) {
    return provider->create_socket(wskport::AddressFamily::ipv4, wskport::SocketType::stream,
                                   wskport::Protocol::tcp, wskport::Category::connection, i);
  });
  print("create_socket", created);
  if (created != wskport::status::success) return 1;

  const wskport::Socket socket = provider->socket_from(irp.IoStatus.Information);
  const wskport::NTSTATUS closed = run(irp, [&](wskport::Irp* i) { return socket.close(i); });
  print("close", closed);
  if (closed != wskport::status::success) return 1;

  if (provider->open_sockets() != 0 || provider->outstanding_irps() != 0) {
    std::printf("leak: %zu sockets, %zu IRPs outstanding\n", provider->open_sockets(),
                provider->outstanding_irps());
    return 1;
  }
  return 0;
}
