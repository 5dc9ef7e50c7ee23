// SPDX-License-Identifier: MIT
// The client's event callbacks of a km socket, read from the table the client gave for
// its category, and which events each category may enable.
#pragma once

#include "common/km/wsk_internal.hpp"

namespace wskport::km {

template <class T>
inline const T* table(const KmSocket& s) noexcept {
  return static_cast<const T*>(s.client_dispatch);
}

inline PFN_WSK_RECEIVE_EVENT receive_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET)
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskReceiveEvent;
  return table<WSK_CLIENT_CONNECTION_DISPATCH>(s)->WskReceiveEvent;
}
inline PFN_WSK_DISCONNECT_EVENT disconnect_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET) {
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskDisconnectEvent;
  }
  return table<WSK_CLIENT_CONNECTION_DISPATCH>(s)->WskDisconnectEvent;
}
inline PFN_WSK_SEND_BACKLOG_EVENT backlog_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET) {
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskSendBacklogEvent;
  }
  return table<WSK_CLIENT_CONNECTION_DISPATCH>(s)->WskSendBacklogEvent;
}
inline PFN_WSK_ACCEPT_EVENT accept_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET)
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskAcceptEvent;
  return table<WSK_CLIENT_LISTEN_DISPATCH>(s)->WskAcceptEvent;
}
inline PFN_WSK_INSPECT_EVENT inspect_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET)
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskInspectEvent;
  if (s.category == WSK_FLAG_LISTEN_SOCKET)
    return table<WSK_CLIENT_LISTEN_DISPATCH>(s)->WskInspectEvent;
  return nullptr;
}
inline PFN_WSK_ABORT_EVENT abort_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  if (s.category == WSK_FLAG_STREAM_SOCKET)
    return table<WSK_CLIENT_STREAM_DISPATCH>(s)->WskAbortEvent;
  if (s.category == WSK_FLAG_LISTEN_SOCKET)
    return table<WSK_CLIENT_LISTEN_DISPATCH>(s)->WskAbortEvent;
  return nullptr;
}
inline PFN_WSK_RECEIVE_FROM_EVENT receive_from_cb(const KmSocket& s) noexcept {
  if (s.client_dispatch == nullptr) return nullptr;
  return table<WSK_CLIENT_DATAGRAM_DISPATCH>(s)->WskReceiveFromEvent;
}

inline bool is_listener(const KmSocket& s) noexcept {
  return s.category == WSK_FLAG_LISTEN_SOCKET ||
         (s.category == WSK_FLAG_STREAM_SOCKET && (s.state & state_listening) != 0);
}

// The events each category may enable.
inline ULONG allowed_events(const KmSocket& s) noexcept {
  switch (s.category) {
    case WSK_FLAG_LISTEN_SOCKET:
      // Connection events on a listener are not its own: they are enabled on every
      // socket it accepts through WskAcceptEvent.
      return WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG;
    case WSK_FLAG_DATAGRAM_SOCKET:
      return WSK_EVENT_RECEIVE_FROM;
    case WSK_FLAG_CONNECTION_SOCKET:
      return WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG;
    case WSK_FLAG_STREAM_SOCKET:
      return WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG;
    default:
      return 0;
  }
}

inline bool has_callback(const KmSocket& s, ULONG bit) noexcept {
  const bool listen = s.category == WSK_FLAG_LISTEN_SOCKET;
  switch (bit) {
    case WSK_EVENT_ACCEPT:
      return accept_cb(s) != nullptr;
    case WSK_EVENT_RECEIVE:
      return listen || receive_cb(s) != nullptr;
    case WSK_EVENT_DISCONNECT:
      return listen || disconnect_cb(s) != nullptr;
    case WSK_EVENT_SEND_BACKLOG:
      return listen || backlog_cb(s) != nullptr;
    case WSK_EVENT_RECEIVE_FROM:
      return receive_from_cb(s) != nullptr;
    default:
      return false;
  }
}

}  // namespace wskport::km
