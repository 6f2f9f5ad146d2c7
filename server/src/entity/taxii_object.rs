use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "taxii_objects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub collection: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stix_id: String,
    /// The STIX timestamp that names the version (`modified`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: String,
    /// A TAXII timestamp (microseconds, `Z`): text, so that it sorts and
    /// compares the same on every database.
    pub date_added: String,
    pub latest: bool,
    pub first: bool,
    pub object_type: String,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
