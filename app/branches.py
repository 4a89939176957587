"""The branch tree of a generation, as plain data (no Qt): what was generated before an undo or an
alternative candidate is kept as a branch instead of being discarded.

A branch is the whole list of generated ids from the prompt on; branches share prefixes. The
tree watches the generated ids after every change (`observe`) and decides: the same branch
(an undo, or nothing new), the branch grown (a step), another branch it fits, or a new branch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Branch:
    name: str
    tokens: list[int]  # generated ids, from the first generated token on


def common_length(a: list[int] | tuple[int, ...], b: list[int] | tuple[int, ...]) -> int:
    """How many leading ids two generations share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class BranchTree:
    def __init__(self, first: str = "main", numbered: str = "branch {0}") -> None:
        self.first, self.numbered = first, numbered  # the names new branches get (the window's language)
        self.branches: list[Branch] = []
        self.current = -1  # index of the branch shown (-1: none yet)
        self.prompt: tuple = ()  # what the branches continue; another prompt starts a new tree
        self._made = 0

    def reset(self, prompt: tuple = ()) -> None:
        self.branches, self.current, self.prompt, self._made = [], -1, prompt, 0

    def load(self, prompt: tuple, branches: list[Branch], current: int) -> None:
        """A tree as saved in a session."""
        self.reset(prompt)
        self.branches = [Branch(b.name, list(b.tokens)) for b in branches]
        self.current = current if 0 <= current < len(branches) else (0 if branches else -1)
        self._made = len(branches)

    def observe(self, prompt: tuple, generated: list[int]) -> bool:
        """Follow the generation to `generated`; True when the tree or the current branch changed."""
        if prompt != self.prompt:
            self.reset(prompt)
        if not self.branches:
            if not generated:
                return False
            self._add(self.first, generated)
            return True
        tokens = self.branches[self.current].tokens
        if generated == tokens[: len(generated)]:
            return False  # undone (redo follows this branch) or unchanged
        if generated[: len(tokens)] == tokens:
            tokens[:] = generated  # grown by a step
            return True
        for index, branch in enumerate(self.branches):
            if generated == branch.tokens[: len(generated)] or generated[: len(branch.tokens)] == branch.tokens:
                self.current = index
                if len(generated) > len(branch.tokens):
                    branch.tokens[:] = generated
                return True
        self._add(self.numbered.format(self._made + 1), generated)
        return True

    def _add(self, name: str, generated: list[int]) -> None:
        self.branches.append(Branch(name, list(generated)))
        self.current = len(self.branches) - 1
        self._made += 1

    def redo_token(self, generated: list[int]) -> int | None:
        """The current branch's next token after `generated` (None: nothing to redo)."""
        if self.current < 0:
            return None
        tokens = self.branches[self.current].tokens
        if len(generated) < len(tokens) and tokens[: len(generated)] == generated:
            return tokens[len(generated)]
        return None

    def rename(self, index: int, name: str) -> None:
        name = name.strip()
        if name:
            self.branches[index].name = name

    def delete(self, index: int) -> None:
        """Remove a branch other than the current one."""
        if index == self.current:
            raise ValueError("this is the branch shown: switch to another branch before deleting it")
        del self.branches[index]
        if index < self.current:
            self.current -= 1
