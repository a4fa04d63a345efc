// An allocator for objects made once per packet (an ack's state, an outgoing frame, a WebSocket's
// readiness wait): blocks of one type are kept on a short free list of the thread that frees them
// and reused from there, so that the steady state of a connection costs no malloc per packet.
// Internal to the library (engine and server).
//
// Thread-safety: each thread has its own lists; a block may be freed on another thread than the
// one that allocated it (it then joins that thread's list).
#pragma once

#include <cstddef>
#include <new>
#include <utility>

namespace sio::detail {

template <class T>
class recycling_allocator {
 public:
  using value_type = T;

  recycling_allocator() noexcept = default;
  template <class U>
  recycling_allocator(const recycling_allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    static_assert(sizeof(T) >= sizeof(node) && alignof(T) >= alignof(node));
    if (n == 1) {
      if (void* p = list().pop()) return static_cast<T*>(p);
    }
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n == 1 && list().push(p)) return;
    ::operator delete(p);
  }

  template <class U>
  bool operator==(const recycling_allocator<U>&) const noexcept {
    return true;
  }

 private:
  // Enough for the packets one worker turn handles for its connections; beyond it, blocks go
  // back to malloc.
  static constexpr std::size_t max_kept = 256;

  struct node {
    node* next;
  };

  // Trivially destructible, so that it stays usable after the thread's drain ran (a block freed
  // by a later destructor on this thread then goes back to malloc).
  struct free_list {
    node* head = nullptr;
    std::size_t size = 0;
    bool closed = false;

    void* pop() noexcept {
      if (!head) return nullptr;
      --size;
      return std::exchange(head, head->next);
    }
    bool push(void* p) noexcept {
      if (closed || size == max_kept) return false;
      head = ::new (p) node{head};
      ++size;
      return true;
    }
  };
  // Frees the kept blocks when the thread ends.
  struct drain {
    free_list* l;
    ~drain() {
      l->closed = true;
      while (l->head) ::operator delete(std::exchange(l->head, l->head->next));
    }
  };

  static free_list& list() noexcept {
    thread_local free_list l;
    thread_local drain d{&l};
    return l;
  }
};

}  // namespace sio::detail
