import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timedHighlights } from './timed-highlights';

describe('timedHighlights', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('highlights a key for the given time after its last change', () => {
    const h = timedHighlights(1000);
    h.mark('a');
    vi.advanceTimersByTime(600);
    h.mark('a'); // changed again: the time starts over
    h.mark('b');
    vi.advanceTimersByTime(600);
    expect(h.highlighted.value).toEqual({ a: true, b: true });
    vi.advanceTimersByTime(400);
    expect(h.highlighted.value).toEqual({});
  });

  it('clear drops every highlight and its timer', () => {
    const h = timedHighlights(1000);
    h.mark('a');
    h.clear();
    expect(h.highlighted.value).toEqual({});
    h.mark('b');
    vi.advanceTimersByTime(1000);
    expect(h.highlighted.value).toEqual({});
  });
});
