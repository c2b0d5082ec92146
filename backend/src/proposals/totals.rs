//! The arithmetic of a proposal, in integers: quantities in thousandths, rates in basis points,
//! every rounding half away from zero, so the page, the PDF and the API always agree.

use super::dto::ProposalTotals;

/// `numerator / denominator` rounded half away from zero.
fn div_round(numerator: i128, denominator: i128) -> i128 {
    let q = numerator / denominator;
    let r = numerator % denominator;
    if 2 * r.abs() >= denominator.abs() {
        q + numerator.signum() * denominator.signum()
    } else {
        q
    }
}

/// One line's amounts: `(amount, discount, total)`.
pub fn line(quantity_milli: i64, unit_price_minor: i64, discount_bp: i32) -> (i64, i64, i64) {
    let amount = div_round(i128::from(quantity_milli) * i128::from(unit_price_minor), 1000);
    let discount = div_round(amount.saturating_mul(i128::from(discount_bp)), 10_000);
    let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    (clamp(amount), clamp(discount), clamp(amount - discount))
}

/// Whether a line's amount stays within `limit` minor units (the largest amount the API takes),
/// so that no sum is ever clamped.
pub fn line_fits(quantity_milli: i64, unit_price_minor: i64, limit: i64) -> bool {
    div_round(i128::from(quantity_milli) * i128::from(unit_price_minor), 1000).abs() <= i128::from(limit)
}

/// The proposal's sums from its lines `(quantity_milli, unit_price_minor, discount_bp)`.
pub fn totals(lines: &[(i64, i64, i32)], tax_bp: i32) -> ProposalTotals {
    let (mut subtotal, mut discount) = (0_i64, 0_i64);
    for (q, p, d) in lines {
        let (a, disc, _) = line(*q, *p, *d);
        subtotal = subtotal.saturating_add(a);
        discount = discount.saturating_add(disc);
    }
    let net = subtotal.saturating_sub(discount);
    let tax = div_round(i128::from(net) * i128::from(tax_bp), 10_000).clamp(i128::from(i64::MIN), i128::from(i64::MAX))
        as i64;
    ProposalTotals {
        subtotal_minor: subtotal,
        discount_minor: discount,
        net_minor: net,
        tax_minor: tax,
        total_minor: net.saturating_add(tax),
    }
}

/// A decimal from the API in units of `1 / scale`, when it has no more decimals than that and
/// the result is an integer a double holds exactly (|n| ≤ 2^53; larger ones would be clamped).
pub fn scaled(value: f64, scale: i64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let v = value * scale as f64;
    let rounded = v.round();
    ((v - rounded).abs() < 1e-6 && rounded.abs() <= EXACT).then_some(rounded as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_multiply_and_discount_with_half_up_rounding() {
        assert_eq!(line(1000, 150_000, 0), (150_000, 0, 150_000));
        // 12.5 × 90.00 = 1,125.00, less 10 %.
        assert_eq!(line(12_500, 9_000, 1000), (112_500, 11_250, 101_250));
        // 0.333 × 1.00 = 0.333 → 0.33; 1.5 % of 0.33 = 0.00495 → 0.00.
        assert_eq!(line(333, 100, 150), (33, 0, 33));
        assert_eq!(line(1000, 5, 1000), (5, 1, 4), "0.5 cents rounds up");
    }

    #[test]
    fn totals_add_up_then_tax_the_net() {
        let t = totals(&[(1000, 150_000, 0), (12_500, 9_000, 1000)], 2000);
        assert_eq!(
            t,
            ProposalTotals {
                subtotal_minor: 262_500,
                discount_minor: 11_250,
                net_minor: 251_250,
                tax_minor: 50_250,
                total_minor: 301_500,
            }
        );
        assert_eq!(totals(&[], 2000), ProposalTotals::default());
    }

    #[test]
    fn decimals_are_scaled_only_when_exact() {
        assert_eq!(scaled(1.5, 1000), Some(1500));
        assert_eq!(scaled(0.001, 1000), Some(1));
        assert_eq!(scaled(0.0001, 1000), None);
        assert_eq!(scaled(12.34, 100), Some(1234));
        assert_eq!(scaled(f64::NAN, 100), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_decimal_is_scaled_exactly_or_refused(value in any::<f64>(), scale in prop::sample::select(vec![100_i64, 1000])) {
            if let Some(n) = scaled(value, scale) {
                prop_assert!(value.is_finite());
                prop_assert!((n as f64 - value * scale as f64).abs() < 1e-6 * (1.0 + value.abs() * scale as f64));
            }
        }

        #[test]
        fn decimals_with_few_places_are_always_accepted(units in -1_000_000_000_i64..1_000_000_000, scale in prop::sample::select(vec![100_i64, 1000])) {
            let value = units as f64 / scale as f64;
            prop_assert_eq!(scaled(value, scale), Some(units));
        }

        #[test]
        fn any_line_is_computed_without_panicking(q in any::<i64>(), p in any::<i64>(), d in any::<i32>()) {
            let _ = line(q, p, d);
            let _ = totals(&[(q, p, d), (q, p, d)], d);
        }

        /// Within the limits the API accepts, a line is computed exactly (no clamping) and the
        /// total is the parts' sum.
        #[test]
        fn lines_within_the_accepted_limits_add_up(
            quantity in 1_i64..=1_000_000_000,
            price in 0_i64..=10_000_000_000_000,
            discount in 0_i32..=10_000,
        ) {
            let (amount, disc, total) = line(quantity, price, discount);
            let exact = div_round(i128::from(quantity) * i128::from(price), 1000);
            let limit = crate::deals::dto::MAX_MINOR;
            prop_assert_eq!(line_fits(quantity, price, limit), exact <= i128::from(limit));
            if line_fits(quantity, price, limit) {
                prop_assert_eq!(i128::from(amount), exact);
                prop_assert_eq!(total, amount - disc);
                prop_assert!(disc >= 0 && disc <= amount);
                let sums = totals(&[(quantity, price, discount); 3], 10_000);
                prop_assert_eq!(sums.net_minor, 3 * total);
                prop_assert_eq!(sums.total_minor, 6 * total);
            }
        }
    }
}
