// The two walks every whole-trace reader makes over a process tree: the
// depth-first order (each process before its children) and roll-ups of a
// figure from the leaves up (subtree totals). Written once, over any tree
// given as roots and a function from a node to its children, so the
// whole-trace store (analysis/trace.h) and the TUI's live tree
// (views/tui/live_forest.h) share them. Iterative: a fork chain of a million
// generations neither overflows the stack nor costs more than its length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ft::analysis {

// Nodes under `roots` (in their order) in depth-first order, each with its
// depth (0 for a root). `children(node)` gives a node's children as a range
// that can be walked backwards (rbegin/rend), in the order they are shown.
template <class Index, class Roots, class Children>
std::vector<std::pair<Index, size_t>> depth_first(const Roots& roots, Children&& children) {
  std::vector<std::pair<Index, size_t>> order;
  std::vector<std::pair<Index, size_t>> stack;
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(static_cast<Index>(*it), 0);
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    order.emplace_back(node, depth);
    const auto& kids = children(node);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(static_cast<Index>(*it), depth + 1);
  }
  return order;
}

template <class T>
size_t node_of(const T& x) { return static_cast<size_t>(x); }
template <class A, class B>
size_t node_of(const std::pair<A, B>& x) { return static_cast<size_t>(x.first); }

// Totals of every node's subtree, indexed by node: walks `order` (nodes or
// depth_first()'s pairs, in a depth-first order, or any order with each node before its descendants)
// backwards, so every child is done before its parent. `own(node, total)`
// adds the node's own figures into its total; `merge(parent_total,
// child_total)` carries a finished child's total up to its parent;
// `parent(node)` is the parent or `none`. Nodes not in `order` stay default.
template <class Total, class Order, class Parent, class Own, class Merge>
std::vector<Total> roll_up(size_t nodes, const Order& order, size_t none, Parent&& parent, Own&& own, Merge&& merge) {
  std::vector<Total> totals(nodes);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    size_t node = node_of(*it);
    own(node, totals[node]);
    size_t up = static_cast<size_t>(parent(node));
    if (up != none) merge(totals[up], totals[node]);
  }
  return totals;
}

}  // namespace ft::analysis
