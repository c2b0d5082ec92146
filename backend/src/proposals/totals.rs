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
    let discount = div_round(amount * i128::from(discount_bp), 10_000);
    let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    (clamp(amount), clamp(discount), clamp(amount - discount))
}

/// The proposal's sums from its lines `(quantity_milli, unit_price_minor, discount_bp)`.
pub fn totals(lines: &[(i64, i64, i32)], tax_bp: i32) -> ProposalTotals {
    let (mut subtotal, mut discount) = (0_i64, 0_i64);
    for (q, p, d) in lines {
        let (a, disc, _) = line(*q, *p, *d);
        subtotal = subtotal.saturating_add(a);
        discount = discount.saturating_add(disc);
    }
    let net = subtotal - discount;
    let tax = div_round(i128::from(net) * i128::from(tax_bp), 10_000) as i64;
    ProposalTotals {
        subtotal_minor: subtotal,
        discount_minor: discount,
        net_minor: net,
        tax_minor: tax,
        total_minor: net.saturating_add(tax),
    }
}

/// A decimal from the API in units of `1 / scale`, when it has no more decimals than that.
pub fn scaled(value: f64, scale: i64) -> Option<i64> {
    let v = value * scale as f64;
    let rounded = v.round();
    ((v - rounded).abs() < 1e-6 && rounded.is_finite()).then_some(rounded as i64)
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
