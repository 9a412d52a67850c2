//! Conditions and orderings typed by the model they belong to.
//!
//! An [`Expr<M>`] can only filter `M`'s queries, so a condition on another model's column
//! does not compile. `and`, `or` and `not` combine conditions of the same model.

use std::fmt;
use std::marker::PhantomData;
use std::ops;

use crate::query::ast::{Node, OrderTerm};

/// A condition on rows of model `M`.
pub struct Expr<M> {
    node: Node,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Expr<M> {
    fn clone(&self) -> Self {
        Expr::from_node(self.node.clone())
    }
}

impl<M> fmt::Debug for Expr<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Expr<M> {
    /// Wraps an untyped node; the caller vouches that it only names `M`'s columns.
    pub fn from_node(node: Node) -> Self {
        Expr {
            node,
            _model: PhantomData,
        }
    }

    /// A condition every row meets.
    pub fn always() -> Self {
        Expr::from_node(Node::Const(true))
    }

    /// A condition no row meets.
    pub fn never() -> Self {
        Expr::from_node(Node::Const(false))
    }

    /// The untyped node.
    pub fn into_node(self) -> Node {
        self.node
    }

    /// Both conditions hold.
    pub fn and(self, other: Expr<M>) -> Expr<M> {
        Expr::from_node(Node::And(Box::new(self.node), Box::new(other.node)))
    }

    /// Either condition holds.
    pub fn or(self, other: Expr<M>) -> Expr<M> {
        Expr::from_node(Node::Or(Box::new(self.node), Box::new(other.node)))
    }

    /// The condition does not hold (rows where it is unknown because of a NULL match too).
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<M> {
        Expr::from_node(Node::Not(Box::new(self.node)))
    }
}

impl<M> ops::BitAnd for Expr<M> {
    type Output = Expr<M>;
    fn bitand(self, rhs: Expr<M>) -> Expr<M> {
        self.and(rhs)
    }
}

impl<M> ops::BitOr for Expr<M> {
    type Output = Expr<M>;
    fn bitor(self, rhs: Expr<M>) -> Expr<M> {
        self.or(rhs)
    }
}

impl<M> ops::Not for Expr<M> {
    type Output = Expr<M>;
    fn not(self) -> Expr<M> {
        Expr::not(self)
    }
}

/// One ordering of model `M`'s rows, from `column.asc()` or `column.desc()`.
pub struct Order<M> {
    term: OrderTerm,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Order<M> {
    fn clone(&self) -> Self {
        Order::from_term(self.term.clone())
    }
}

impl<M> fmt::Debug for Order<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.term.fmt(f)
    }
}

impl<M> Order<M> {
    /// Wraps an untyped term.
    pub fn from_term(term: OrderTerm) -> Self {
        Order {
            term,
            _model: PhantomData,
        }
    }

    /// The untyped term.
    pub fn term(&self) -> OrderTerm {
        self.term.clone()
    }
}
