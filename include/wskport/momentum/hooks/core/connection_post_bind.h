/* SPDX-License-Identifier: MIT */
/**
 * @file hooks/core/connection_post_bind.h
 * @brief Momentum's connection_post_bind hook: runs after bind(), before connect().
 *
 *   int connection_post_bind(void *closure, domain_record *dr, int binding_slot,
 *                            int fd, struct sockaddr *addr, int addr_len);
 *
 * initiate_connection runs the chain once per connection attempt (every address it
 * tries gets a fresh socket), on the thread that drives the attempt: the caller of
 * initiate_connection for the first address, a provider thread of the manager for
 * later ones. Arguments:
 *   - closure:      the closure given at registration;
 *   - dr:           the domain record whose queue the connection will serve;
 *   - binding_slot: the MultiVIP binding slot the socket is bound to;
 *   - fd:           the bound socket's native handle: the file descriptor on POSIX, the
 *                   SOCKET on Windows (the library checks that it fits an int, else the
 *                   attempt fails with CONN_ERR_SOCKET before the hooks run). The
 *                   library owns it: a hook may set options on it and read its local
 *                   address with getsockname() (the port may be 0 where the platform
 *                   defers the port choice to connect), but must not close it;
 *   - addr/addr_len: the destination connect() will use, as the platform's native
 *                   sockaddr (sockaddr_in or sockaddr_in6); the hook may read it only.
 * Return 0 to go on. A non-zero return stops the chain and aborts the whole
 * connection attempt: the socket is closed, connect() never runs, no other address is
 * tried, and initiate_connection reports CONN_ERR_HOOK_ABORT (returned, or through
 * finish_connect_func when the attempt had already gone pending). It does not count
 * as an MX failure. Hooks must not block: they run on the connection machinery's
 * threads.
 *
 * Ordering, threading and unregistration: see WSKPORT_DECLARE_HOOK in "connection_types.h". The C++
 * interface to the same chain (the full native handle, the wskport Socket, the destination as an
 * Address) is wskport/connection/hooks.hpp.
 */
#ifndef WSKPORT_MOMENTUM_HOOKS_CORE_CONNECTION_POST_BIND_H
#define WSKPORT_MOMENTUM_HOOKS_CORE_CONNECTION_POST_BIND_H

#include "../../connection_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Declares ec_hook_core_connection_post_bind_func_t and:
 *   has_core_connection_post_bind_hook(): 1 if any provider is registered, else 0.
 *     Synchronous, lock-free.
 *   register_core_connection_post_bind_hook_first(hook, closure): adds @p hook ahead
 *     of every registered provider. Synchronous. A null hook is ignored.
 *   register_core_connection_post_bind_hook_last(hook, closure): adds it after every
 *     registered provider. Synchronous. A null hook is ignored.
 *   unregister_core_connection_post_bind_hook(hook, closure): removes the first such
 *     registration; 1 if removed, 0 if none. Waits for running calls of it on other
 *     threads (see WSKPORT_DECLARE_HOOK in connection_types.h).
 *   call_core_connection_post_bind_hook(dr, binding_slot, fd, addr, addr_len): runs
 *     the chain on the calling thread with these arguments; returns the first non-zero
 *     provider result, or 0. C++ providers see a null Socket when the chain is run
 *     this way.
 */
WSKPORT_DECLARE_HOOK(core, connection_post_bind,
                     (void* closure, domain_record* dr, int binding_slot, int fd,
                      struct sockaddr* addr, int addr_len),
                     (domain_record * dr, int binding_slot, int fd, struct sockaddr* addr,
                      int addr_len));

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_MOMENTUM_HOOKS_CORE_CONNECTION_POST_BIND_H */
