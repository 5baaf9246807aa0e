"""The Vietnamese lunar calendar (âm lịch) → the solar calendar.

Vietnam reckons new moons and solar terms at UTC+7, China at UTC+8, so the two lunar
calendars differ in some years (Tết 1985 fell on 21 January in Vietnam, 20 February in
China). Chinese-calendar libraries (``lunardate``) are therefore wrong for such dates; this
is Hồ Ngọc Đức's published algorithm (astronomical new moons and sun longitude after Jean
Meeus), with the time zone as a parameter. tests/test_lunar.py checks it against
``lunardate`` with the time zone set to China's, and against known Vietnamese dates.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

VIETNAM_TZ = 7.0
_SYNODIC = 29.530588853
_EPOCH = 2415021.076998695  # new moon of 1900-01-01


def _jd_from_date(day: int, month: int, year: int) -> int:
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _date_from_jd(jd: int) -> dt.date:
    a = jd + 32044
    b = (4 * a + 3) // 146097
    c = a - b * 146097 // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = b * 100 + d - 4800 + m // 10
    return dt.date(year, month, day)


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd + c1 - delta


def _sun_longitude(jdn: float) -> float:
    """The sun's longitude (radians, 0..2π) at Julian day ``jdn`` (UT)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    return longitude - math.pi * 2 * math.floor(longitude / (math.pi * 2))


def _new_moon_day(k: int, tz: float) -> int:
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


def _sun_term(day_number: int, tz: float) -> int:
    """Which twelfth of the ecliptic the sun is in at local midnight of ``day_number``."""
    return math.floor(_sun_longitude(day_number - 0.5 - tz / 24) / math.pi * 6)


@lru_cache(maxsize=1024)
def _month11(year: int, tz: float) -> int:
    """Day number of the start of the 11th lunar month (the one holding the winter solstice)."""
    offset = _jd_from_date(31, 12, year) - 2415021
    k = math.floor(offset / _SYNODIC)
    new_moon = _new_moon_day(k, tz)
    if _sun_term(new_moon, tz) >= 9:
        new_moon = _new_moon_day(k - 1, tz)
    return new_moon


def _leap_month_offset(month11: int, tz: float) -> int:
    k = math.floor((month11 - _EPOCH) / _SYNODIC + 0.5)
    i = 1
    arc = _sun_term(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_term(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            break
    return i - 1


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False, *, tz: float = VIETNAM_TZ) -> dt.date:
    """The solar date of lunar ``day``/``month`` (``leap`` for the intercalary month)/``year``.

    Raises ValueError when no such lunar date exists (a leap month the year has not, day 30
    of a 29-day month).
    """
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValueError("no such lunar date")
    if month < 11:
        start11, next11 = _month11(year - 1, tz), _month11(year, tz)
    else:
        start11, next11 = _month11(year, tz), _month11(year + 1, tz)
    k = math.floor(0.5 + (start11 - _EPOCH) / _SYNODIC)
    offset = (month - 11) % 12
    if next11 - start11 > 365:  # a year of 13 months
        leap_offset = _leap_month_offset(start11, tz)
        leap_month = (leap_offset - 2) % 12
        if leap and month != leap_month:
            raise ValueError("this lunar year has no such leap month")
        if leap or offset >= leap_offset:
            offset += 1
    elif leap:
        raise ValueError("this lunar year has no leap month")
    month_start = _new_moon_day(k + offset, tz)
    if day > _new_moon_day(k + offset + 1, tz) - month_start:
        raise ValueError("this lunar month has 29 days")
    return _date_from_jd(month_start + day - 1)
