// SPDX-License-Identifier: MIT
// The 8- and 16-bit Interlocked forms, InterlockedXor64 and the interlocked bit tests
// (the 32- and 64-bit family is in km_sync.cpp). Sequentially consistent, returning
// what Windows documents: the new value for Increment/Decrement, the old one otherwise.
#include <atomic>

#include "common/km/km_runtime.hpp"

#include <wdm.h>

using wskport::km::detail::atomic;

LONG64 InterlockedXor64(LONG64 volatile* Destination, LONG64 Value) {
  return atomic(*Destination).fetch_xor(Value);
}

CHAR InterlockedExchange8(CHAR volatile* Target, CHAR Value) {
  return atomic(*Target).exchange(Value);
}
CHAR InterlockedCompareExchange8(CHAR volatile* Destination, CHAR Exchange, CHAR Comperand) {
  atomic(*Destination).compare_exchange_strong(Comperand, Exchange);
  return Comperand;  // the value found, whether or not it was replaced
}
CHAR InterlockedExchangeAdd8(CHAR volatile* Addend, CHAR Value) {
  return atomic(*Addend).fetch_add(Value);
}
CHAR InterlockedAnd8(CHAR volatile* Destination, CHAR Value) {
  return atomic(*Destination).fetch_and(Value);
}
CHAR InterlockedOr8(CHAR volatile* Destination, CHAR Value) {
  return atomic(*Destination).fetch_or(Value);
}
CHAR InterlockedXor8(CHAR volatile* Destination, CHAR Value) {
  return atomic(*Destination).fetch_xor(Value);
}

SHORT InterlockedIncrement16(SHORT volatile* Addend) {
  return static_cast<SHORT>(atomic(*Addend).fetch_add(1) + 1);
}
SHORT InterlockedDecrement16(SHORT volatile* Addend) {
  return static_cast<SHORT>(atomic(*Addend).fetch_sub(1) - 1);
}
SHORT InterlockedExchange16(SHORT volatile* Target, SHORT Value) {
  return atomic(*Target).exchange(Value);
}
SHORT InterlockedCompareExchange16(SHORT volatile* Destination, SHORT Exchange, SHORT Comperand) {
  atomic(*Destination).compare_exchange_strong(Comperand, Exchange);
  return Comperand;
}
SHORT InterlockedExchangeAdd16(SHORT volatile* Addend, SHORT Value) {
  return atomic(*Addend).fetch_add(Value);
}
SHORT InterlockedAnd16(SHORT volatile* Destination, SHORT Value) {
  return atomic(*Destination).fetch_and(Value);
}
SHORT InterlockedOr16(SHORT volatile* Destination, SHORT Value) {
  return atomic(*Destination).fetch_or(Value);
}
SHORT InterlockedXor16(SHORT volatile* Destination, SHORT Value) {
  return atomic(*Destination).fetch_xor(Value);
}

// The bit string continues past *Base: bit Offset lives in the Offset/32-th LONG.
BOOLEAN InterlockedBitTestAndSet(LONG volatile* Base, LONG Offset) {
  const auto mask = static_cast<LONG>(1U << (Offset & 31));
  return (atomic(Base[Offset >> 5]).fetch_or(mask) & mask) != 0 ? TRUE : FALSE;
}
BOOLEAN InterlockedBitTestAndReset(LONG volatile* Base, LONG Offset) {
  const auto mask = static_cast<LONG>(1U << (Offset & 31));
  return (atomic(Base[Offset >> 5]).fetch_and(~mask) & mask) != 0 ? TRUE : FALSE;
}
BOOLEAN InterlockedBitTestAndSet64(LONG64 volatile* Base, LONG64 Offset) {
  const auto mask = static_cast<LONG64>(1ULL << (Offset & 63));
  return (atomic(Base[Offset >> 6]).fetch_or(mask) & mask) != 0 ? TRUE : FALSE;
}
BOOLEAN InterlockedBitTestAndReset64(LONG64 volatile* Base, LONG64 Offset) {
  const auto mask = static_cast<LONG64>(1ULL << (Offset & 63));
  return (atomic(Base[Offset >> 6]).fetch_and(~mask) & mask) != 0 ? TRUE : FALSE;
}
