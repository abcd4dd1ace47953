/* See rtc.h. */
#include <stdbool.h>
#include <stdint.h>

#include "port/capos/cpu.h"
#include "port/capos/rtc.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_NMI_OFF 0x80 /* keep NMIs masked while the index is set */
#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_STATUS_A 0x0A
#define REG_STATUS_B 0x0B
#define REG_CENTURY 0x32
#define STATUS_A_UIP 0x80    /* update in progress: registers unstable */
#define STATUS_B_24H 0x02
#define STATUS_B_BINARY 0x04
#define HOUR_PM 0x80

/* An update cycle lasts under 2 ms; these bounds cover several cycles. */
#define UIP_SPIN_LIMIT 10000000u
#define READ_ATTEMPTS 8

typedef struct rtc_raw {
    uint8_t sec, min, hour, day, month, year, century;
} rtc_raw;

static uint8_t cmos_read(uint8_t reg)
{
    capos_outb(CMOS_INDEX, (uint8_t)(CMOS_NMI_OFF | reg));
    return capos_inb(CMOS_DATA);
}

static bool wait_not_updating(void)
{
    unsigned spins = 0;
    while (cmos_read(REG_STATUS_A) & STATUS_A_UIP) {
        if (++spins > UIP_SPIN_LIMIT)
            return false;
    }
    return true;
}

static void read_raw(rtc_raw *r)
{
    r->sec = cmos_read(REG_SEC);
    r->min = cmos_read(REG_MIN);
    r->hour = cmos_read(REG_HOUR);
    r->day = cmos_read(REG_DAY);
    r->month = cmos_read(REG_MONTH);
    r->year = cmos_read(REG_YEAR);
    r->century = cmos_read(REG_CENTURY);
}

static bool same(const rtc_raw *a, const rtc_raw *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour &&
           a->day == b->day && a->month == b->month && a->year == b->year &&
           a->century == b->century;
}

static unsigned from_bcd(uint8_t v)
{
    return (unsigned)(v >> 4) * 10u + (v & 0x0Fu);
}

int64_t capos_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
     * days_from_civil: exact for every proleptic Gregorian date. */
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

captls_result capos_rtc_read(int64_t *epoch_seconds)
{
    rtc_raw a, b;
    uint8_t status_b;
    unsigned sec, min, hour, day, month, year, century;
    bool pm;
    int i;

    /* Read until two passes agree, so a rollover between the reads of two
     * registers (59:59 -> 00:00) cannot produce a time an hour off. */
    if (!wait_not_updating())
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;
    read_raw(&a);
    for (i = 0;; i++) {
        if (i == READ_ATTEMPTS || !wait_not_updating())
            return CAPTLS_ERR_CLOCK_UNAVAILABLE;
        read_raw(&b);
        if (same(&a, &b))
            break;
        a = b;
    }
    status_b = cmos_read(REG_STATUS_B);

    pm = (a.hour & HOUR_PM) != 0;
    a.hour &= (uint8_t)~HOUR_PM;
    if (status_b & STATUS_B_BINARY) {
        sec = a.sec, min = a.min, hour = a.hour, day = a.day;
        month = a.month, year = a.year, century = a.century;
    } else {
        sec = from_bcd(a.sec), min = from_bcd(a.min);
        hour = from_bcd(a.hour), day = from_bcd(a.day);
        month = from_bcd(a.month), year = from_bcd(a.year);
        century = from_bcd(a.century);
    }
    if (!(status_b & STATUS_B_24H)) {
        /* 12-hour mode: 12 AM is 0 h, 12 PM is 12 h. */
        if (hour == 12)
            hour = 0;
        if (pm)
            hour += 12;
    }
    if (century < 19 || century > 21)
        century = 20;
    if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 ||
        month < 1 || month > 12 || year > 99)
        return CAPTLS_ERR_CLOCK_UNAVAILABLE;

    *epoch_seconds =
        capos_days_from_civil((int64_t)(century * 100 + year), month, day) *
            86400 +
        (int64_t)(hour * 3600 + min * 60 + sec);
    return CAPTLS_OK;
}
