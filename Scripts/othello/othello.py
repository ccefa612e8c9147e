"""Othello rules, vectorised over many games with NumPy, in the conventions of Othello-GPT (Li et al. 2023;
TransformerLens's Othello-GPT tutorial).

Squares are 0..63, row-major (`square = 8 * row + col`); a square's label is its row letter and column digit
("C0" is row 2, column 0). Black (+1) moves first; the start position has black on D4 and E3, white on D3 and
E4 ((3, 4), (4, 3) black; (3, 3), (4, 4) white). The model's vocabulary has 61 tokens: 0 is "pass" (never
played in the games) and 1..60 are the 60 playable squares (the centre four excluded) in increasing order.
"""

import numpy as np

BLACK, WHITE = 1, -1
CENTRE = (27, 28, 35, 36)
PLAYABLE = [s for s in range(64) if s not in CENTRE]
SQUARE_TO_ID = {s: i + 1 for i, s in enumerate(PLAYABLE)}
DIRECTIONS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def label(square):
    return "ABCDEFGH"[square // 8] + str(square % 8)


def start_boards(n):
    boards = np.zeros((n, 8, 8), dtype=np.int8)
    boards[:, 3, 4] = boards[:, 4, 3] = BLACK
    boards[:, 3, 3] = boards[:, 4, 4] = WHITE
    return boards


def shifted(boards, dr, dc, k):
    """`out[n, r, c] = boards[n, r + k dr, c + k dc]`, 0 off the board."""
    out = np.zeros_like(boards)
    r0, r1 = max(0, -k * dr), min(8, 8 - k * dr)
    c0, c1 = max(0, -k * dc), min(8, 8 - k * dc)
    if r0 < r1 and c0 < c1:
        out[:, r0:r1, c0:c1] = boards[:, r0 + k * dr:r1 + k * dr, c0 + k * dc:c1 + k * dc]
    return out


def legal_moves(boards, player):
    """Legal squares `[n, 8, 8]` (bool) for `player [n]` (+1 / -1): blank squares from which some direction runs
    over one or more opponent stones and ends on one of the player's stones."""
    me = player[:, None, None].astype(np.int8)
    legal = np.zeros(boards.shape, dtype=bool)
    for dr, dc in DIRECTIONS:
        run = shifted(boards, dr, dc, 1) == -me
        for k in range(2, 8):
            ahead = shifted(boards, dr, dc, k)
            legal |= run & (ahead == me)
            run &= ahead == -me
    return legal & (boards == 0)


def play(boards, player, squares):
    """Plays `squares [n]` for `player [n]` in place, flipping the stones each move encloses."""
    n = np.arange(len(boards))
    rows, cols = squares // 8, squares % 8
    me = player.astype(np.int8)
    boards[n, rows, cols] = me
    for dr, dc in DIRECTIONS:
        # length of the run of opponent stones from the move, and whether one of ours closes it
        running = np.ones(len(boards), dtype=bool)
        length = np.zeros(len(boards), dtype=np.int64)
        closed = np.zeros(len(boards), dtype=bool)
        for k in range(1, 8):
            r, c = rows + k * dr, cols + k * dc
            inside = (r >= 0) & (r < 8) & (c >= 0) & (c < 8)
            value = np.where(inside, boards[n, np.clip(r, 0, 7), np.clip(c, 0, 7)], 0)
            closed |= running & inside & (value == me) & (k >= 2)
            running &= inside & (value == -me)
            length += running
        for k in range(1, 7):
            flip = closed & (length >= k)
            r, c = rows[flip] + k * dr, cols[flip] + k * dc
            boards[n[flip], r, c] = me[flip]


def random_games(n, rng):
    """`n` uniformly random legal games that fill the board (games that end early are drawn again).

    Returns a dict of arrays, move index `i` in 0..59:
    - `squares [n, 60]`: the square of move i;
    - `legal [n, 60, 64]`: the legal squares when move i was chosen (a pass is taken for the player who has
      none, so move i is drawn from this set);
    - `states [n, 60, 8, 8]`: the board after move i (+1 black, -1 white, 0 blank);
    - `to_move [n, 60]`: the player to move after move i (after a forced pass), 0 once the game is over.
    """
    parts = {key: [] for key in ("squares", "legal", "states", "to_move")}
    have = 0
    while have < n:
        batch = max(64, int((n - have) * 1.15))
        game = _play_batch(batch, rng)
        for key in parts:
            parts[key].append(game[key][game["complete"]])
        have += int(game["complete"].sum())
    return {key: np.concatenate(value)[:n] for key, value in parts.items()}


def _play_batch(n, rng):
    boards = start_boards(n)
    player = np.full(n, BLACK, dtype=np.int8)
    squares = np.zeros((n, 60), dtype=np.int64)
    legal_all = np.zeros((n, 60, 64), dtype=bool)
    states = np.zeros((n, 60, 8, 8), dtype=np.int8)
    to_move = np.zeros((n, 60), dtype=np.int8)
    alive = np.ones(n, dtype=bool)
    for i in range(60):
        legal, player = _legal_after_pass(boards, player)
        legal = legal.reshape(n, 64)
        alive &= legal.any(axis=1)
        legal_all[:, i] = legal
        # uniform choice among the legal squares: the arg-max of random keys on them
        keys = np.where(legal, rng.random((n, 64)), -1.0)
        choice = keys.argmax(axis=1)
        play(boards, np.where(alive, player, 0).astype(np.int8), choice)
        squares[:, i] = choice
        states[:, i] = boards
        player = -player
        if i < 59:
            _, nxt = _legal_after_pass(boards, player)
            to_move[:, i] = nxt
    to_move[:, 59] = 0
    return {"squares": squares, "legal": legal_all, "states": states, "to_move": to_move, "complete": alive}


def _legal_after_pass(boards, player):
    """The player to move and their legal squares: `player` unless they have no move (then the opponent)."""
    legal = legal_moves(boards, player)
    stuck = ~legal.reshape(len(boards), 64).any(axis=1)
    if stuck.any():
        player = np.where(stuck, -player, player).astype(np.int8)
        legal[stuck] = legal_moves(boards[stuck], player[stuck])
    return legal, player


def token_ids(squares):
    """Token ids of squares (any shape)."""
    table = np.zeros(64, dtype=np.int64)
    for s, i in SQUARE_TO_ID.items():
        table[s] = i
    return table[squares]


def legal_token_mask(legal):
    """Legal squares `[..., 64]` as a mask over the 61 tokens `[..., 61]` (pass never legal)."""
    return np.concatenate([np.zeros(legal.shape[:-1] + (1,), dtype=bool), legal[..., PLAYABLE]], axis=-1)


def relative_states(states, to_move):
    """Board classes relative to the player to move: 0 blank, 1 theirs, 2 mine, `[..., 8, 8]`."""
    relative = states * to_move[..., None, None]
    return np.where(relative == 0, 0, np.where(relative > 0, 2, 1)).astype(np.int64)
