import { afterEach, describe, expect, it } from 'vitest';
import { lang } from '../src/i18n';
import { compare, formatValue, MEASURES, measuresOf, share, type Figures } from '../src/stats/measures';

afterEach(() => {
  lang.value = 'ru';
});

const nb = (s: string) => s.replace(/ /g, '\u00a0');
const m = (key: string) => MEASURES.find((x) => x.key === key)!;

function figures(over: Partial<Figures> = {}): Figures {
  return {
    ack_confirmed: 0, ack_confirmed_within_day: 0, ack_posts: 0, ack_read: 0, ack_recipients: 0,
    activity: [], channel_members: 0, channel_posts: 0, channel_readers: 0, homework_late: 0,
    homework_set: 0, invites_created: 0, invites_used: 0, joined: 0, late_marks: 0, lessons: 0,
    marks: 0, online_attended: 0, online_expected: 0, online_lessons: 0, quiet_holds: 0,
    report_resolve_hours: null, reports_raised: 0, reports_resolved: 0, request_wait_hours: null,
    requests_decided: 0, ...over,
  };
}

describe('the measures', () => {
  it('every section has measures, keys are unique, and none counts messages', () => {
    for (const s of ['reach', 'heard', 'care', 'activity'] as const) expect(measuresOf(s).length).toBeGreaterThan(0);
    expect(new Set(MEASURES.map((x) => x.key)).size).toBe(MEASURES.length);
    for (const x of MEASURES) {
      expect(x.key).not.toMatch(/message|posts$/);
      expect(x.label()).not.toMatch(/^st\./);
    }
  });

  it('shares are parts of their wholes', () => {
    const f = figures({ ack_recipients: 40, ack_read: 30, ack_confirmed: 20, ack_confirmed_within_day: 10, channel_members: 8, channel_readers: 6 });
    expect(m('ack_read').value(f)).toBe(0.75);
    expect(m('ack_confirmed').value(f)).toBe(0.5);
    expect(m('ack_confirmed_within_day').value(f)).toBe(0.25);
    expect(m('channel_read').value(f)).toBe(0.75);
  });

  it('the journal on time and online attendance', () => {
    const f = figures({ homework_set: 20, homework_late: 5, marks: 50, late_marks: 10, online_expected: 10, online_attended: 9 });
    expect(m('homework_on_time').value(f)).toBe(0.75);
    expect(m('marks_on_time').value(f)).toBe(0.8);
    expect(m('online_attendance').value(f)).toBe(0.9);
  });

  it('a share is null when the whole is 0', () => {
    const f = figures();
    for (const k of ['ack_read', 'ack_confirmed', 'ack_confirmed_within_day', 'channel_read', 'homework_on_time', 'marks_on_time', 'online_attendance', 'active_daily.student'])
      expect(m(k).value(f), k).toBeNull();
    expect(share(0, 0)).toBeNull();
    expect(share(3, 0)).toBeNull();
  });

  it('active people are shares of the group', () => {
    const f = figures({ activity: [{ group: 'parent', people: 40, daily_average: 10, weekly_average: 30 }, { group: 'staff', people: 0, daily_average: 0, weekly_average: 0 }] });
    expect(m('active_daily.parent').value(f)).toBe(0.25);
    expect(m('active_weekly.parent').value(f)).toBe(0.75);
    expect(m('active_daily.staff').value(f)).toBeNull();
    expect(m('active_daily.student').value(f)).toBeNull();
  });

  it('medians are hours, lower is better; counts have no better way', () => {
    expect(m('request_wait_hours').value(figures({ request_wait_hours: 3.5 }))).toBe(3.5);
    expect(m('request_wait_hours').value(figures())).toBeNull();
    expect(m('report_resolve_hours').better).toBe('lower');
    expect(m('quiet_holds').better).toBe('none');
    expect(m('joined').kind).toBe('count');
  });
});

describe('formatValue', () => {
  it('writes numbers the Russian way', () => {
    expect(formatValue(m('ack_read'), 0.87)).toBe(nb('87 %'));
    expect(formatValue(m('ack_read'), 0.8749)).toBe(nb('87 %'));
    expect(formatValue(m('ack_read'), 1)).toBe(nb('100 %'));
    expect(formatValue(m('request_wait_hours'), 3.46)).toBe(nb('3,5 ч'));
    expect(formatValue(m('request_wait_hours'), 2)).toBe(nb('2 ч'));
    expect(formatValue(m('joined'), 12)).toBe('12');
    expect(formatValue(m('joined'), 1234)).toBe(nb('1 234'));
    expect(formatValue(m('ack_read'), null)).toBe('—');
  });

  it('and the English way', () => {
    lang.value = 'en';
    expect(formatValue(m('request_wait_hours'), 3.46)).toBe(nb('3.5 h'));
    expect(formatValue(m('ack_read'), 0.5)).toBe(nb('50 %'));
    expect(formatValue(m('joined'), 1234)).toBe('1,234');
  });
});

describe('compare', () => {
  it('shares differ in percentage points, as shown', () => {
    expect(compare(m('ack_read'), 0.87, 0.82)).toEqual({ text: nb('+5 п. п.'), trend: 'better' });
    expect(compare(m('ack_read'), 0.5, 0.6)).toEqual({ text: nb('\u221210 п. п.'), trend: 'worse' });
    expect(compare(m('ack_read'), 0.871, 0.869)).toEqual({ text: 'без изменений', trend: 'same' });
  });

  it('counts have a sign and no trend', () => {
    expect(compare(m('joined'), 10, 12)).toEqual({ text: '\u22122', trend: 'none' });
    expect(compare(m('joined'), 12, 10)).toEqual({ text: '+2', trend: 'none' });
    expect(compare(m('joined'), 3, 3)).toEqual({ text: 'без изменений', trend: 'none' });
  });

  it('fewer hours is better', () => {
    expect(compare(m('report_resolve_hours'), 2, 3.5)).toEqual({ text: nb('\u22121,5 ч'), trend: 'better' });
    expect(compare(m('report_resolve_hours'), 5, 3)).toEqual({ text: nb('+2 ч'), trend: 'worse' });
  });

  it('nothing to compare with', () => {
    expect(compare(m('ack_read'), null, 0.5)).toEqual({ text: '—', trend: 'none' });
    expect(compare(m('ack_read'), 0.5, null)).toEqual({ text: '—', trend: 'none' });
  });

  it('in English', () => {
    lang.value = 'en';
    expect(compare(m('ack_read'), 0.87, 0.82).text).toBe(nb('+5 pp'));
    expect(compare(m('joined'), 3, 3).text).toBe('no change');
  });
});
