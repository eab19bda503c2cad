//! One table per family: `variant_table!` writes each variant's name,
//! models and summary once, and makes from the same rows the enum that the
//! family's builder matches on. A row without a builder arm does not
//! compile (the match is exhaustive), and no variant name is written twice.

/// Declares `enum $enum` and `const $table: &[VariantInfo]` from one list of
/// rows `Ident = "name", [Model, ...], "summary";`, with `$enum::of(name)`
/// (an error naming the known variants) and `$enum::name(self)`.
#[macro_export]
macro_rules! variant_table {
    ($(#[$meta:meta])* $vis:vis enum $enum:ident in $table:ident {
        $($variant:ident = $name:literal, [$($model:ident),+ $(,)?], $summary:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $enum {
            $($variant),+
        }

        /// The family's variants, in the order `list` shows them.
        $vis const $table: &[$crate::vocab::VariantInfo] = &[
            $($crate::vocab::VariantInfo {
                name: $name,
                models: &[$($crate::vocab::Model::$model),+],
                summary: $summary,
            }),+
        ];

        #[allow(dead_code)]
        impl $enum {
            const ALL: &'static [$enum] = &[$($enum::$variant),+];

            /// The variant named `name`; an unknown name is an error that
            /// lists the known ones.
            pub fn of(name: &str) -> anyhow::Result<$enum> {
                Self::ALL
                    .iter()
                    .zip($table)
                    .find(|(_, info)| info.name == name)
                    .map(|(variant, _)| *variant)
                    .ok_or_else(|| {
                        let known: Vec<&str> = $table.iter().map(|v| v.name).collect();
                        anyhow::anyhow!("no variant `{name}` (known: {})", known.join(", "))
                    })
            }

            /// Its name, as written once in the table.
            pub fn name(self) -> &'static str {
                $table[self as usize].name
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::variant_table! {
        enum Colour in COLOURS {
            Red = "red", [Thread], "the first";
            Blue = "blue", [Process, Thread], "the second";
        }
    }

    #[test]
    fn one_row_gives_the_name_the_models_and_the_enum() {
        assert_eq!(Colour::of("blue").unwrap(), Colour::Blue);
        assert_eq!(Colour::Blue.name(), "blue");
        assert_eq!(COLOURS[1].models.len(), 2);
        let refused = Colour::of("green").unwrap_err().to_string();
        assert_eq!(refused, "no variant `green` (known: red, blue)");
    }
}
