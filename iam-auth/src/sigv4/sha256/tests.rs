use proptest::prelude::*;
use ring::{digest, hmac};

use super::{HashUpdate, HmacKey, Sha256, sha256};

fn reference(key: &[u8], message: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message)
        .as_ref()
        .to_vec()
}

#[test]
fn hmac_rfc_4231_case_2_matches() {
    let tag = HmacKey::new(b"Jefe").sign(b"what do ya want for nothing?");

    assert_eq!(
        crate::encoding::to_hex(&tag),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn hmac_padding_boundaries_match_ring() {
    let key = [0x0b_u8; 20];
    for len in 0..=200 {
        let message: Vec<u8> = (0..len).map(|index| index as u8).collect();

        let tag = HmacKey::new(&key).sign(&message);

        assert_eq!(
            tag.to_vec(),
            reference(&key, &message),
            "message of {len} bytes"
        );
    }
}

#[test]
fn hmac_key_lengths_match_ring() {
    for key_len in [0, 1, 32, 44, 63, 64, 65, 100, 131] {
        let key = vec![0xaa_u8; key_len];

        let tag = HmacKey::new(&key).sign(b"message");

        assert_eq!(
            tag.to_vec(),
            reference(&key, b"message"),
            "key of {key_len} bytes"
        );
    }
}

#[test]
fn sha256_matches_ring_at_padding_boundaries() {
    for len in 0..=200 {
        let message: Vec<u8> = (0..len).map(|index| index as u8).collect();

        let hash = sha256(&message);

        let expected = digest::digest(&digest::SHA256, &message);
        assert_eq!(hash.as_slice(), expected.as_ref(), "message of {len} bytes");
    }
}

proptest! {
    #[test]
    fn sha256_pieces_match_ring(
        message in proptest::collection::vec(any::<u8>(), 0..400),
        cut in 0usize..400,
    ) {
        let cut = cut.min(message.len());
        let mut hash = Sha256::new();
        hash.update(&message[..cut]);
        hash.update(&message[cut..]);

        let actual = hash.finish();
        let expected = digest::digest(&digest::SHA256, &message);
        prop_assert_eq!(actual.as_slice(), expected.as_ref());
    }


    #[test]
    fn hmac_pieces_match_ring(
        key in proptest::collection::vec(any::<u8>(), 0..150),
        message in proptest::collection::vec(any::<u8>(), 0..400),
        cuts in proptest::collection::vec(0usize..400, 0..6),
    ) {
        let mut context = HmacKey::new(&key).context();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(message.len())).collect();
        cuts.sort_unstable();
        let mut start = 0;
        for cut in cuts {
            context.update(&message[start..cut]);
            start = cut;
        }
        context.update(&message[start..]);

        prop_assert_eq!(context.sign().to_vec(), reference(&key, &message));
    }
}
